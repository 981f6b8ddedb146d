// A config rehearsal's shapes (docs/rehearse.md): the window's recorded events run through the config in force and
// through the new one, and what differs per route and channel, in the remediation starts, and in the faults paged.

/** Pages of one route to one channel (a route's delivery of an event to a channel), under each config. */
export interface ChannelPages {
  route: string;
  channel: string;
  current: number;
  rehearsed: number;
}

/** An automatic retry a remediation rule would have started, and what the recorded runs say of it. */
export interface RehearsedStart {
  rule: string;
  taskId: string;
  taskName: string;
  node?: string;
  incidentId?: number;
  /** The failure it retries (ISO-8601) and when the retry would have started. */
  failedAt: string;
  at: string;
  /**
   * failing: the task failed again later in the same incident (the source was still away: the retry would have failed);
   * unknown: no run of the task between tells (sourceBackAt says when a run found the source back, at the latest).
   */
  outcome: "failing" | "unknown";
  /** When the task's incident closed: a run found the source back by then. */
  sourceBackAt?: string;
}

/** A retry a rule would have asked for and its budget (or a quiet window) refused, or a re-run found not needed. */
export interface RefusedStart {
  rule: string;
  taskName: string;
  at: string;
  why: string;
}

/** A fault that paged a route under the config in force and would not page it under the new one. */
export interface UnpagedFault {
  /** Absent for a lateness or a backlog the watch's thresholds judged again (no incident of a task). */
  incidentId?: number;
  taskName: string;
  route: string;
  /** When it first paged (ISO-8601). */
  firstPagedAt: string;
  /** Why it counts as a fault: acknowledged, acted on, failed again, still open. */
  why: string;
}

/** A page of a threshold the rehearsal judged again on the recorded runs, under one config and not the other. */
export interface ThresholdPage {
  route: string;
  channel: string;
  change: "appears" | "vanishes";
  /** late: a promise's deadline passed unfresh; at-risk: its warning time; backlog: a node's queue. */
  what: "late" | "at-risk" | "backlog";
  /** When it would have paged (ISO-8601). */
  at: string;
  /** "Sales app late on Tue 3 Mar 02:21 (fresh then) under the new deadline 02:15 (promise sales-morning)". */
  text: string;
}

export interface Rehearsal {
  from: string;
  to: string;
  /** Events of the window replayed (each once). */
  events: number;
  pages: { current: number; rehearsed: number };
  /** Per route and channel, largest change first; pairs equal under both configs are kept (a CI diff reads them). */
  channels: ChannelPages[];
  /** Events held before the routes decide, per reason ("maintenance window nightly-etl"), under the new config. */
  held: Array<{ why: string; events: number }>;
  /**
   * notNeeded: re-runs a [queue] rule would have asked for and the live Steward would then skip, their task having run
   * since (its chain after the re-run of a task upstream, or its own trigger): asked for, so counted in the budgets.
   */
  remediation: { current: RehearsedStart[]; rehearsed: RehearsedStart[]; refused: RefusedStart[]; notNeeded: RefusedStart[] };
  /** The watch's re-judged pages (a promise's lateness or warning, a queue's backlog) that appear or vanish, named. */
  thresholds: ThresholdPage[];
  /** Non-empty: the new config hides a fault someone had to act on (the CLI exits 1). */
  unpagedFaults: UnpagedFault[];
  /** What the rehearsal cannot see, said once (an event kind no route of the config in force recorded …). */
  notes: string[];
}

/** What a config's rules would have started over the window, and refused. */
export interface RuleRehearsal {
  starts: RehearsedStart[];
  refused: RefusedStart[];
  /** Re-runs asked for and skipped at their turn: the task ran since (rerun-needed.ts). */
  notNeeded: RefusedStart[];
  /** Failure events whose page the rule holds (they recovered before a retry was due): their id → why. */
  held: Map<string, string>;
}
