// Issue 105: the promises apps make in their custom property (freshness.customProperty, StewardFreshBy). Steward reads
// them from QRS live and keeps none in the store, so a rehearsal cannot judge them again: a config that reads the same
// property keeps their recorded events, and one that reads none (freshness off) or another raises none of them. Their
// pages that vanish so are named from the recorded events, as the re-judged ones are.
import type { WatchdogEvent } from "../../platform/events/types";
import type { RecordedEvent } from "../noise/replay";
import type { FreshnessLabel } from "./rejudge-freshness";

/** The promise of a recorded freshness event (its condition key is freshness:<promise>:<app>). */
export function promiseOf(e: WatchdogEvent): string | undefined {
  const key = e.condition?.key ?? "";
  return key.startsWith("freshness:") ? key.slice("freshness:".length, key.lastIndexOf(":")) : undefined;
}

/** Is this recorded event one of the promises apps made in `property` (named "<property>:<app name>")? */
export function isOwnPromiseEvent(e: RecordedEvent["event"], property: string): boolean {
  if (!e.kind.startsWith("app.freshness_")) return false;
  return promiseOf(e as WatchdogEvent)?.startsWith(`${property}:`) === true;
}

/** The labels of the recorded warnings and breaches of apps' own promises, with when each app was fresh again. */
export function ownPromiseLabels(recorded: readonly RecordedEvent[], property: string): Map<string, FreshnessLabel & { own: true }> {
  const out = new Map<string, FreshnessLabel & { own: true }>();
  const byCondition = new Map<string, Array<FreshnessLabel & { own: true }>>();
  for (const { event } of recorded) {
    if (!isOwnPromiseEvent(event, property)) continue;
    const w = event as WatchdogEvent;
    const d = w.data;
    const key = w.condition?.key ?? "";
    const deadlineMs = typeof d.deadline === "string" ? Date.parse(d.deadline) : Number.NaN;
    const at = `${key}\u0000${deadlineMs}`;
    if (event.kind === "app.freshness_recovered") {
      const freshMs = typeof d.freshFrom === "string" ? Date.parse(d.freshFrom) : Date.parse(w.receivedAt);
      for (const l of byCondition.get(at) ?? []) l.freshMs = freshMs;
      continue;
    }
    const label = {
      what: event.kind === "app.freshness_warning" ? ("at-risk" as const) : ("late" as const),
      promise: promiseOf(w) ?? "",
      app: typeof d.appName === "string" ? d.appName : (w.app?.name ?? "?"),
      key,
      deadlineMs,
      ...(typeof d.maxAgeMs === "number" ? { maxAgeMs: d.maxAgeMs } : {}),
      own: true as const,
    };
    out.set(event.id, label);
    byCondition.set(at, [...(byCondition.get(at) ?? []), label]);
  }
  return out;
}
