// The noise report's shapes (docs/noise.md#measuring-the-noise): what reached people in a window, read back from the
// outbox and the incidents, and the config changes proposed for the noisiest sources.

/** One alert of one route about one event (its deliveries to each channel and recipient count once). */
export interface NoisePage {
  route: string;
  kind: string;
  /** sent: at least one of its deliveries went out; held: every one was held back (a threshold, a silence …). */
  status: "sent" | "held";
  /** When it went out (held: when it was held). */
  at: number;
  eventId: string;
  /** What it was about: the task's name, else the app's, else the event's title. */
  subject: string;
  taskId?: string;
  taskName?: string;
  appName?: string;
  /** The node the task ran on, when the event names it. */
  node?: string;
  incidentId?: number;
  /** The cause it was told under, with how many tasks the cause took in. */
  cause?: { id: number; title: string; tasks: number; apps: string[] };
  /** What started the paged run, when the event says: a schedule (time) trigger, a chain, a person. */
  startedBy?: "schedule" | "chain" | "user";
}

/** What an incident a page belonged to became. */
export interface NoiseIncident {
  id: number;
  acknowledgedAt: number | null;
  closedAt: number | null;
  /**
   * What a person did about it, besides acknowledging it (acted-on.ts): a snooze, a retry or re-run asked for, a start
   * by hand in the QMC or hub. Unset when nobody did anything Steward recorded. Such an incident never "recovered by
   * itself", and no proposal may hide it.
   */
  actedOn?: string;
}

/** A row of the table per route and per kind. */
export interface NoiseRow {
  route: string;
  kind: string;
  pages: number;
  held: number;
  /** Shares (0..1) of `pages`; null when there were none. */
  acknowledged: number | null;
  medianAckMs: number | null;
  recoveredAlone: number | null;
}

export interface NoisySource {
  /** A task's name, or the subject of pages that name no task. */
  name: string;
  taskId?: string;
  pages: number;
  acknowledged: number;
  /** Pages whose incident someone acted on: acknowledged, snoozed, retried or re-run, started by hand. */
  actedOn: number;
  recoveredAlone: number;
  /** Runs of the task the Scheduler's retry recovered in the window (never paged). */
  recoveredByRetry: number;
  routes: string[];
  kinds: string[];
  /** The hour of the day (0–23, in the report's zone) each page went out. */
  hours: number[];
  /** Distinct days (in the report's zone) it paged on. */
  days: number;
  node?: string;
  apps: string[];
  /** Causes that took in more than one task its pages were told under (one cause once, whatever the routes). */
  chainPages: number;
  /** Its pages about a run a schedule (time) trigger started. */
  scheduled: number;
  /** The shortest time between two of its pages; null with one page. */
  minGapMs: number | null;
  /** Pages about an incident of the task that had already paged on the same route in the window (renotify: every). */
  repeats: number;
}

export interface NoiseRoute {
  name: string;
  pages: number;
  acknowledged: number;
  recoveredAlone: number;
  /** The route's own pageAfter, when it has one. */
  pageAfter?: string;
  /** The shortest time between two pages of one task on it; null when no task paged twice. */
  minGapMs: number | null;
  /** Pages about an incident that had already paged on this route in the window (renotify: every, { nth }). */
  repeats: number;
  /** Tasks (or subjects) with a page on this route that ended with nobody acting: one task's noise is not the route's. */
  noisySources: number;
}

export interface NoiseBudget {
  /** Pages per week over the window (scaled when the window is not seven days). */
  pagesPerWeek: number;
  /** budget.pagesPerPerson × budget.onCallPeople. */
  budget: number;
  over: boolean;
  /** Share (0..1) of pages acknowledged; null without pages. */
  actedOn: number | null;
  actedOnGoal: number;
}

/** A config change for one noisy source: shown as a fragment, applied only by an administrator. */
export interface Proposal {
  /** Stable while the same source stays noisy: page-after-route-on-call, page-after-task-reload-sales … */
  id: string;
  kind: "page-after" | "freshness-promise" | "quiet-window" | "move-trigger" | "renotify-once";
  /** The task or route it is about. */
  about: string;
  title: string;
  /** Why, from the numbers. */
  why: string;
  /** The YAML path the change applies to, as a person reads it (routes[0].pageAfter). */
  path: string;
  /** The change as YAML, at the top level of the config file. */
  yaml: string;
  /** What applying does to the file; absent for a change made elsewhere (a trigger in the QMC). */
  edit?: ConfigEdit;
  /** Takes effect at once on a reload (routes); otherwise after a restart. */
  live: boolean;
  /** The window replayed with the change (replay-proposal.ts); absent for a change the notifier's decisions do not make. */
  replay?: ProposalReplay;
}

/** A proposal's window, its recorded events run again through the notifier's decisions without and with the change. */
export interface ProposalReplay {
  /** Pages (a route telling a person of an event) of the whole window, with the config in force and with the change. */
  pagesBefore: number;
  pagesAfter: number;
  /** pagesBefore − pagesAfter. */
  saved: number;
  /** The source's own pages: a task's events (each once), or a route's pages. */
  sourceBefore: number;
  sourceAfter: number;
  /**
   * Incidents that paged on a route and would not have on that route: each ended by itself with nobody acting (else
   * the proposal is withdrawn, whatever another route still posts).
   */
  incidentsUnpaged: number;
  /** Posts saved per channel (a route's delivery to a channel), largest first; channels that save none are left out. */
  savedByChannel: Array<{ channel: string; saved: number }>;
}

/** Sets a value at a path of the YAML document, or appends it to the list there (made when missing). */
export interface ConfigEdit {
  op: "set" | "append";
  path: Array<string | number>;
  value: unknown;
  /** What the file must still hold for the edit to land where it was meant (the route at that index is still this one). */
  guard?: { path: Array<string | number>; value: unknown };
}

export interface NoiseReport {
  from: number;
  to: number;
  days: number;
  /** Days of the window Steward has kept deliveries for (its oldest one, or the window's start): proposals need MIN_HISTORY_DAYS. */
  historyDays: number;
  zone: string;
  pages: number;
  held: number;
  rows: NoiseRow[];
  routes: NoiseRoute[];
  tasks: NoisySource[];
  recoveredByRetry: number;
  budget: NoiseBudget;
  proposals: Proposal[];
}
