// Turns successive probe results into service.started / service.stopped events. The first successful poll of
// a service is its baseline (no alert storm at start); pending and paused states are in between; an event
// fires only when a service settles in RUNNING after STOPPED, or the reverse. Probe errors never change the
// known state: they are reported once when they begin and once when they end.
import type { ServiceEvent } from "../../platform/events/types";
import type { ProbeResult, ServiceTarget } from "./probe";
import type { ProbeErrorKind, StartType, WinState } from "./sc-parse";

export type Observation =
  | { type: "baseline"; state: WinState }
  | { type: "event"; event: ServiceEvent }
  | { type: "transition"; from: WinState; to: WinState }
  | { type: "error-began"; kind: ProbeErrorKind; message: string }
  | { type: "error-ended"; kind: ProbeErrorKind }
  | { type: "unchanged" };

interface Tracked {
  last?: WinState;
  /** Last settled state (RUNNING or STOPPED). */
  settled?: "RUNNING" | "STOPPED";
  error?: ProbeErrorKind;
  startType?: StartType;
  displayName?: string;
  exePath?: string;
}

export const targetKey = (t: ServiceTarget) => `${t.platform}|${t.host.toLowerCase()}|${t.name.toLowerCase()}`;

export interface StateTracker {
  observe(target: ServiceTarget, result: ProbeResult, nowMs: number): Observation[];
  last(target: ServiceTarget): WinState | undefined;
  /** Start type etc. are known for this service. */
  hasDetails(target: ServiceTarget): boolean;
  forget(keep: ReadonlySet<string>): void;
}

export function createStateTracker(): StateTracker {
  const tracked = new Map<string, Tracked>();
  return {
    last: (t) => tracked.get(targetKey(t))?.last,
    hasDetails: (t) => tracked.get(targetKey(t))?.startType !== undefined,
    forget(keep) {
      for (const k of tracked.keys()) if (!keep.has(k)) tracked.delete(k);
    },
    observe(target, result, nowMs) {
      const key = targetKey(target);
      let s = tracked.get(key);
      if (!s) tracked.set(key, (s = {}));
      const out: Observation[] = [];
      if (!result.ok) {
        if (s.error !== result.kind) out.push({ type: "error-began", kind: result.kind, message: result.message });
        s.error = result.kind;
        return out;
      }
      if (s.error) out.push({ type: "error-ended", kind: s.error });
      s.error = undefined;
      if (result.startType) s.startType = result.startType;
      if (result.displayName) s.displayName = result.displayName;
      if (result.exePath) s.exePath = result.exePath;
      const previous = s.last;
      s.last = result.state;
      const settled = result.state === "RUNNING" || result.state === "STOPPED" ? result.state : undefined;
      if (previous === undefined) {
        out.push({ type: "baseline", state: result.state });
        if (settled) s.settled = settled;
        return out;
      }
      if (previous !== result.state) out.push({ type: "transition", from: previous, to: result.state });
      if (!settled) return out.length ? out : [{ type: "unchanged" }];
      const before = s.settled;
      s.settled = settled;
      // A service first seen while starting or stopping gets its baseline when it settles.
      if (before === undefined || before === settled) return out.length ? out : [{ type: "unchanged" }];
      const kind = settled === "STOPPED" ? "service.stopped" : "service.started";
      const receivedAt = new Date(nowMs).toISOString();
      const event: ServiceEvent = {
        id: `service:${target.host}:${target.name}:${settled.toLowerCase()}:${nowMs}`,
        kind,
        receivedAt,
        host: target.host,
        service: {
          name: target.name,
          ...(s.displayName ? { displayName: s.displayName } : {}),
          ...(target.friendlyName ? { friendlyName: target.friendlyName } : {}),
          ...(s.startType ? { startType: s.startType } : {}),
          ...(s.exePath ? { exePath: s.exePath } : {}),
        },
        state: settled,
        previousState: before,
      };
      out.push({ type: "event", event });
      return out;
    },
  };
}
