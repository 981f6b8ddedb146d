// What the chaos suite (scripts/chaos.ts) reports, and how its alerts are judged: each failed run's first alert
// against a bound (on time, or late), a run never alerted by the end of the watch after the load (lost), a run
// alerted twice (duplicated), and the worst delay; with grouping, the runs folded into causes and those neither sent
// nor named by a cause page (scripts/chaos-causes.ts).

import { type CauseJudgement, describeCauses } from "./chaos-causes";

export type Scenario =
  | "kill-leader"
  | "kill-mid-delivery"
  | "pause-leader"
  | "db-stop"
  | "db-kill"
  | "db-stop-phases"
  | "partition"
  | "silent-cut"
  | "dead-node"
  | "clock-skew";

/** A point of a run's processing at which PostgreSQL is stopped (db-stop-phases; see scripts/chaos-phases.ts). */
export type Phase = "claimed" | "enriched" | "stored" | "queued";

export interface ChaosReport {
  members: number;
  failedRuns: number;
  /** Alerted after `alertBoundMs` from the run's end (or from the store's return, for a run caught by a stop). */
  lateAlerts: string[];
  /** Never alerted by the end of the watch after the load ended. */
  lostAlerts: string[];
  /** Runs sent in two deliveries (two X-Steward-Delivery keys): Steward decided twice to alert them. */
  duplicatedAlerts: string[];
  /**
   * A delivery received again under the same X-Steward-Delivery key (a send given up by its Steward at the channel's
   * timeout, whose answer the receiver still gave, sent again): what docs/channels.md lets a receiver drop, not a second alert.
   */
  repeatedDeliveries: string[];
  /** The longest time from a run's end to its first alert, and which run. */
  worstDelay?: { ms: number; run: string };
  alertBoundMs: number;
  /**
   * db-stop-phases: per phase, how long after PostgreSQL was back (answering our query) the run caught in that phase
   * was alerted, and how long after it was started again (before which nothing can be written).
   */
  phases: Array<{ phase: Phase; executionId: string; alertedAfterReturnMs: number; alertedAfterRestartMs: number }>;
  kvAcknowledged: number;
  kvLost: string[];
  /** KV requests whose connection closed without an answer (or that got none within kvAnswerLimitMs). */
  kvUnanswered: string[];
  /** KV requests answered later than kvBoundMs (the documented bound of a request that needs the store). */
  kvSlow: string[];
  kvBoundMs: number;
  unexpectedExits: string[];
  /** Log lines of the last-resort guard from every Steward process of the run (killed ones included). */
  lastResortErrors: string[];
  takeoversMs: number[];
  deadNodeAlertMs?: number;
  skewedMemberLed?: boolean;
  scenarios: Array<{ name: Scenario; ms: number /** Seconds into the load. */; startedAt: number }>;
  /** With the groupable load: runs folded into causes, and runs neither sent nor named by a cause page. */
  causes?: CauseJudgement;
}

export interface ObservedRun {
  executionId: string;
  node: string;
  /** When the run was started (ms since the epoch). */
  at: number;
  /** For a run a scenario held in a phase: when the store came back; its delay counts from then. */
  storeBackAt?: number;
}

/** Sorts the runs by their first alert (`firstAlertAt`, ms since the epoch) into on time, late, lost and doubled. */
export function judgeAlerts(
  runs: readonly ObservedRun[],
  firstAlertAt: ReadonlyMap<string, number>,
  alertCount: ReadonlyMap<string, number>,
  boundMs: number,
): Pick<ChaosReport, "lateAlerts" | "lostAlerts" | "duplicatedAlerts" | "worstDelay"> {
  const t0 = runs[0]?.at ?? 0;
  const where = (r: ObservedRun) => `${r.executionId} (node ${r.node}, ${((r.at - t0) / 1000).toFixed(1)} s into the load)`;
  const out: Pick<ChaosReport, "lateAlerts" | "lostAlerts" | "duplicatedAlerts" | "worstDelay"> = { lateAlerts: [], lostAlerts: [], duplicatedAlerts: [] };
  for (const r of runs) {
    const alerted = firstAlertAt.get(r.executionId);
    if (alerted === undefined) {
      out.lostAlerts.push(where(r));
      continue;
    }
    const delay = alerted - Math.max(r.at, r.storeBackAt ?? 0);
    if (!out.worstDelay || delay > out.worstDelay.ms) out.worstDelay = { ms: alerted - r.at, run: where(r) };
    if (delay > boundMs) out.lateAlerts.push(`${where(r)}: ${((alerted - r.at) / 1000).toFixed(1)} s after it ended`);
    if ((alertCount.get(r.executionId) ?? 0) > 1) out.duplicatedAlerts.push(r.executionId);
  }
  return out;
}

/**
 * What a webhook receiver following docs/channels.md counts: each X-Steward-Delivery key once. `accept(key)` is true
 * for a delivery to count (the first under its key, or one without a key) and false for a repeat of an accepted key.
 */
export function createDeliveryKeys(): { accept(key: string): boolean } {
  const accepted = new Set<string>();
  return {
    accept(key) {
      if (key === "") return true;
      if (accepted.has(key)) return false;
      accepted.add(key);
      return true;
    },
  };
}

export function describeReport(r: ChaosReport): string {
  const ms = (x: number | undefined) => (x === undefined ? "—" : Number.isNaN(x) ? "never" : `${(x / 1000).toFixed(1)} s`);
  return [
    `members: ${r.members}; scenarios: ${r.scenarios.map((s) => `${s.name} (${ms(s.ms)})`).join(", ")}`,
    `scenario starts (s into the load): ${r.scenarios.map((s) => `${s.name} ${s.startedAt.toFixed(1)}`).join(", ")}`,
    `failed runs: ${r.failedRuns}; alerts lost: ${r.lostAlerts.length}; late (over ${ms(r.alertBoundMs)}): ${r.lateAlerts.length}; duplicated: ${r.duplicatedAlerts.length}`,
    `worst alert delay: ${r.worstDelay ? `${ms(r.worstDelay.ms)} (${r.worstDelay.run})` : "—"}`,
    ...r.lostAlerts.map((l) => `  lost: ${l}`),
    ...r.lateAlerts.map((l) => `  late: ${l}`),
    ...r.duplicatedAlerts.map((l) => `  duplicated: ${l}`),
    `deliveries received again under their X-Steward-Delivery key (dropped, as a receiver may): ${r.repeatedDeliveries.length}`,
    ...r.repeatedDeliveries.map((l) => `  repeated: ${l}`),
    ...describeCauses(r.causes),
    ...r.phases.map(
      (p) =>
        `PostgreSQL stopped with a run ${p.phase}: alerted ${ms(p.alertedAfterReturnMs)} after it was back, ${ms(p.alertedAfterRestartMs)} after its restart (${p.executionId})`,
    ),
    `KV writes acknowledged: ${r.kvAcknowledged}; lost: ${r.kvLost.length}`,
    `KV requests left without an answer: ${r.kvUnanswered.length}; answered after more than ${ms(r.kvBoundMs)}: ${r.kvSlow.length}`,
    ...r.kvUnanswered.map((l) => `  unanswered: ${l}`),
    ...r.kvSlow.map((l) => `  slow: ${l}`),
    `Stewards that exited on their own: ${r.unexpectedExits.length}`,
    `errors caught by a last-resort guard: ${r.lastResortErrors.length}`,
    ...r.lastResortErrors.map((l) => `  ${l.slice(0, 600)}`),
    `scheduler takeovers: ${r.takeoversMs.map(ms).join(", ") || "—"}`,
    `a dead Steward's node's failure alerted after: ${ms(r.deadNodeAlertMs)}`,
    `the member 30 s ahead led a duty: ${r.skewedMemberLed === undefined ? "— (faketime missing or scenario off)" : r.skewedMemberLed ? "YES" : "no"}`,
  ].join("\n");
}
