// The check-ins as links of the Qlik chains, for the watchdog's view (/v4/watchdog, the dashboard's /ui/watchdog):
// each job before Qlik with its state now (on time, missed, failed, running, running long) and the tasks and apps
// it is named upstream of. Read from the shared store, so every Steward shows the same.
import type { CheckinsConfig } from "./config";
import type { SqlDb } from "../../platform/store/sql";
import { createCheckinStore } from "./checkin-store";
import type { WatchdogEvent } from "../../platform/events/types";

export type CheckinChainState = "ok" | "missed" | "failed" | "running" | "running_long" | "waiting";

export interface CheckinChainItem {
  name: string;
  state: CheckinChainState;
  /** Task names or ids, and app names or ids, as the check's feeds name them. */
  feeds: { tasks: string[]; apps: string[] };
  lastSuccessAt: string | null;
  /** The open condition's summary, when there is one. */
  note: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function createCheckinChainView(cfg: CheckinsConfig | undefined, db: SqlDb): () => Promise<CheckinChainItem[]> {
  const checks = cfg?.enabled ? Object.entries(cfg.checks).filter(([, c]) => c.enabled) : [];
  if (checks.length === 0) return async () => [];
  const store = createCheckinStore(db);
  return async () => {
    const [states, open] = await Promise.all([store.states(), store.openConditions()]);
    return checks.map(([name, c]) => {
      const s = states.get(name);
      const cond = open.find((o) => o.name === name);
      const ended = Math.max(s?.lastSuccessMs ?? -Infinity, s?.lastFailMs ?? -Infinity);
      const state: CheckinChainState = cond
        ? (cond.type.replace(/^checkin_/, "") as CheckinChainState)
        : s?.lastStartMs !== undefined && s.lastStartMs > ended
          ? "running"
          : s?.lastSuccessMs === undefined && s?.lastFailMs === undefined
            ? "waiting"
            : s.lastFailMs !== undefined && s.lastFailMs > (s.lastSuccessMs ?? -Infinity)
              ? "failed"
              : "ok";
      return {
        name,
        state,
        feeds: { tasks: [...c.feeds.taskNames, ...c.feeds.taskIds], apps: [...c.feeds.appNames, ...c.feeds.appIds] },
        lastSuccessAt: iso(s?.lastSuccessMs),
        note: cond?.openEvent.summary ?? null,
      };
    });
  };
}

export interface CheckinConditionsView {
  /** The open check-in conditions' events (missed, failed, running long), oldest first. */
  open(): Promise<WatchdogEvent[]>;
  /** The events that closed a condition since `sinceMs`, newest first. */
  recentlyClosed(sinceMs: number): Promise<WatchdogEvent[]>;
}

/** The check-ins' conditions in the watchdog event's shape: "Needs attention" lists them beside the tasks'. */
export function createCheckinConditionsView(cfg: CheckinsConfig | undefined, db: SqlDb): CheckinConditionsView {
  if (!cfg?.enabled) return { open: async () => [], recentlyClosed: async () => [] };
  const store = createCheckinStore(db);
  return {
    open: async () => (await store.openConditions()).map((r) => r.openEvent),
    recentlyClosed: async (sinceMs) => (await store.recentlyClosed(sinceMs)).flatMap((r) => (r.closeEvent ? [r.closeEvent] : [])),
  };
}
