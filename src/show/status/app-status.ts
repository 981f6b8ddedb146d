// What the business sees of an app: fresh, late or failed against its freshness promise, and "data as of" its last
// successful reload, read from the freshness store. Only names, times and states: no task, log or host.
import type { FreshnessConditionRow, FreshnessStore } from "../../watch/freshness/freshness-store";

export type StatusState = "fresh" | "late" | "failed" | "unknown";

export interface AppStatus {
  app: { id: string; name: string; stream: string | null };
  state: StatusState;
  /** The last successful reload (ISO-8601), or null when none is known. */
  dataAsOf: string | null;
  /** The deadline the open condition is about, when late or failed. */
  promisedBy: string | null;
  /** When the app is now expected to be fresh, when Steward can tell. */
  expectedAt: string | null;
  /** One sentence for people. */
  message: string;
}

const RANK: Record<StatusState, number> = { fresh: 0, unknown: 1, late: 2, failed: 3 };
export const worst = (states: StatusState[]): StatusState => states.reduce<StatusState>((w, s) => (RANK[s] > RANK[w] ? s : w), "fresh");

/** Statuses of every app the promises know, by app id; `promised` says which apps have a promise. */
export async function readStatuses(
  store: FreshnessStore,
  promised: (app: { appId: string; appName: string; stream?: string; tags: string[] }) => boolean,
  /** A time in the message, for people (ISO-8601 when not given; the fields stay ISO). */
  formatTime: (iso: string) => string = (iso) => iso,
): Promise<AppStatus[]> {
  const [apps, open] = await Promise.all([store.apps(), store.openConditions()]);
  const byApp = new Map<string, FreshnessConditionRow[]>();
  for (const c of open) byApp.set(c.appId, [...(byApp.get(c.appId) ?? []), c]);
  return apps.map((a) => {
    const conds = byApp.get(a.appId) ?? [];
    const latest = conds.map((c) => c.breachEvent ?? c.warnEvent).filter((e) => e !== undefined);
    const failed = latest.some((e) => e.data.failed === true);
    const state: StatusState = !promised(a) ? "unknown" : latest.length === 0 ? "fresh" : failed ? "failed" : "late";
    const first = latest[0];
    const expected = typeof first?.data.expectedAt === "string" ? first.data.expectedAt : null;
    const dataAsOf = a.lastSuccessMs !== undefined ? new Date(a.lastSuccessMs).toISOString() : null;
    const message =
      state === "fresh"
        ? `${a.appName} is up to date.`
        : state === "unknown"
          ? `${a.appName} has no freshness promise.`
          : `${a.appName} is ${state === "failed" ? "not up to date: a load failed" : "late"}${expected ? `; expected at about ${formatTime(expected)}` : ""}.`;
    return {
      app: { id: a.appId, name: a.appName, stream: a.stream ?? null },
      state,
      dataAsOf,
      promisedBy: typeof first?.data.deadline === "string" ? first.data.deadline : null,
      expectedAt: expected,
      message,
    };
  });
}
