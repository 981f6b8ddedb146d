// The projection /status and the Freshness page show for each promise (issue 67): for a "fresh by" promise whose
// chain has begun and whose app is not fresh yet, when the app is now expected to be fresh, and whether the deadline
// will be missed and why, in the administrator's words and in the business reader's (no task, job or host names).
// Judged at each look by the Steward holding the watchdog lease, kept in the shared store, read by every Steward.
import { breachCertain } from "./at-risk";
import type { ChainEta } from "./chain-eta";
import { expectedAt, stoppedAt } from "./expected-at";
import { type FindingContext, type FreshnessFinding, findingFor, type JudgedPromise, type OpenFreshness, promisedApps } from "./judge";
import type { AppFreshness } from "./freshness-store";
import { causeForUsers } from "./stop-cause";

export interface FreshnessProjection {
  promise: string;
  appId: string;
  /** The deadline the projection is about: the one an open condition missed or warns of, else the next one. */
  deadlineMs: number;
  /** When the app is now expected to be fresh; absent when Steward cannot tell, or it will not be until someone acts. */
  expectedMs?: number;
  /** Set when the deadline will be (or was) missed: why, for the administrator. */
  missed?: string;
  /** The same for the business reader: what it means for them, no task or job names. */
  missedForUsers?: string;
  /** The cause (src/tell/grouping) that holds the chain up, open or ended this cycle: the deadline waits for it. */
  cause?: { id: number; title: string; sinceMs: number; endedMs?: number };
}

/** Why the app is late, said to the people who use it: the kind of trouble, never a task's, job's or node's name. */
export function reasonForUsers(f: FreshnessFinding): string {
  const known = f.chain?.cause && causeForUsers(f.chain.cause);
  if (known) return known;
  if (f.upstream.some((u) => u.state === "failed")) return "the data it is loaded from did not arrive: the job that delivers it failed";
  if (f.upstream.some((u) => u.state === "not_checked_in" || u.state === "running")) return "the data it is loaded from has not arrived yet";
  if (f.chain?.problems.some((p) => p.state === "stopped") && !f.chain.problems.some((p) => p.state === "failed"))
    return "a load it depends on did not start and has to be started again";
  if (stoppedAt(f) || f.chain?.problems.some((p) => p.state === "failed")) return "a load it depends on failed and has to run again";
  const a = f.app;
  if (a.lastFailMs !== undefined && (f.cycleStartMs === undefined || a.lastFailMs >= f.cycleStartMs) && (a.lastSuccessMs ?? -1) < a.lastFailMs)
    return "its last load failed";
  return "the loads before it are running late";
}

export function projectFreshness(input: {
  promises: readonly JudgedPromise[];
  apps: readonly AppFreshness[];
  open: readonly OpenFreshness[];
  context: FindingContext;
  etaOf?: (f: FreshnessFinding) => ChainEta | undefined;
}): FreshnessProjection[] {
  const { nowMs } = input.context;
  const openByKey = new Map(input.open.map((o) => [o.key, o]));
  const out: FreshnessProjection[] = [];
  for (const p of input.promises) {
    // A "never older than" promise has no deadline to project to: its state and the data's age say it all.
    if (!p.deadlines) continue;
    for (const app of promisedApps(p, input.apps)) {
      const open = openByKey.get(`freshness:${p.name}:${app.appId}`);
      const deadlineMs = open?.deadlineMs ?? p.deadlines.after(nowMs);
      if (deadlineMs === undefined) continue;
      const base = findingFor(p, app, deadlineMs, input.context);
      // Fresh already, or its chain has not begun (tomorrow's deadline, this evening): nothing to project.
      if (base.fresh || (open === undefined && base.cycleStartMs !== undefined && base.cycleStartMs > nowMs)) continue;
      const eta = input.etaOf?.(base);
      const f: FreshnessFinding = eta ? { ...base, chain: eta } : base;
      const expectedMs = expectedAt(f);
      const c = eta?.cause;
      const why = nowMs >= deadlineMs ? `the deadline has passed${c ? ` (${c.text} held up "${c.task}" in its chain)` : ""}` : breachCertain(f, eta, nowMs);
      const missed = why ?? (expectedMs !== undefined && expectedMs > deadlineMs ? "the projected fresh time passes the deadline" : undefined);
      out.push({
        promise: p.name,
        appId: app.appId,
        deadlineMs,
        ...(expectedMs !== undefined ? { expectedMs } : {}),
        ...(missed ? { missed, missedForUsers: reasonForUsers(f) } : {}),
        ...(c ? { cause: { id: c.id, title: c.title, sinceMs: c.openedMs, ...(c.closedMs !== undefined ? { endedMs: c.closedMs } : {}) } } : {}),
      });
    }
  }
  return out;
}
