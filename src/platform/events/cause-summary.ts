// The parent incident an alert belongs to, as the channels show it: put on the event by the grouping gate
// (src/tell/grouping) when the event opened, updated or closed a cause, so every channel renders the same shape.
export interface CauseSummary {
  id: number;
  title: string;
  status: "open" | "closed";
  /** "25 tasks, 12 apps, 3 streams affected" */
  text: string;
  tasks: string[];
  apps: string[];
  streams: string[];
  /**
   * The task runs (executionIds) folded into the cause, oldest first: the run that opened it and every failure held
   * as its symptom. Capped like the names (RUNS_ON_ALERT); `counts.runs` says how many in all, GET /v4/causes/{id}
   * lists every one. Absent on a page made before runs were kept.
   */
  runs?: string[];
  /** How many there are in all (the name lists are capped). */
  counts: { tasks: number; apps: number; streams: number; runs?: number };
  /** Symptoms still open (a task failing, a start missed). */
  stillFailing: number;
  /** When the cause opened (ISO time). */
  openedAt?: string;
  /**
   * Tasks whose start did not come while the cause lasted (a missed start, a stopped chain): on the recovered page,
   * what the admin may start again rather than wait for its next run. Capped like the names.
   */
  didNotRun?: string[];
  /**
   * Freshness promises about an app it affects ("sales-morning (fresh by 07:00)"), on its open pages; on its recovered
   * page, those whose warning or breach it holds and that are not fresh again.
   */
  promisesAtRisk?: string[];
  /** The cause on the dashboard (/ui/causes), when http.publicUrl is set. */
  url?: string;
  /**
   * An open cause a remediation rule is retrying through one of its tasks (its probe): the task, when its next retry
   * is due (ISO time), the rule, and how many other tasks wait to be retried once it succeeds.
   */
  trying?: { task: string; at: string; rule: string; waiting: number };
  /** Closed by a person (POST /v4/causes/{id}/resolve, a resolve in PagerDuty…) rather than by its end: who. */
  resolvedBy?: string;
  /** Set on an update page: what the parent came to affect since its last page (ISO time), names capped like above. */
  /** `runs`: the runs folded in since that page (capped like `runs`; `runCount` says how many). */
  update?: { since: string; tasks: string[]; apps: string[]; count: number; runs?: string[]; runCount?: number };
}

/** Every domain event may carry the parent incident it opened, updated or closed (src/tell/grouping). */
export interface WithCause {
  cause?: CauseSummary;
}
