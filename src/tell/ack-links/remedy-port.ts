// What the links ask of approved remediation (src/start/remediation, a wing above this one, wired late): whether a
// message offers "retry this task", the delays its page offers, and the retry itself, asked as the link's person.
import type { DomainEvent } from "../../platform/events/types";

export interface RetryChoice {
  /** The form value: the delay in whole seconds ("0": now). */
  id: string;
  /** "now", "in 5 min". */
  label: string;
  delayMs: number;
}

/** What the link's page says: `status` (default 200, or 409 when not ok) and `title` when they differ from the usual. */
export interface LinkAnswer {
  ok: boolean;
  message: string;
  status?: 403;
  title?: string;
}

/**
 * Who pressed a link: `verified` when the link was made for a mail address (its mailbox is the identity), not when the
 * person typed a name on a link posted to a channel (a label: the two-person rule never counts it as a person).
 */
export interface LinkAsker {
  ip?: string;
  verified: boolean;
}

/**
 * What a re-run of a queue cause's cancelled runs would do if approved now, in words for the link's page before the
 * person confirms (issue 105): the node, when the first would start (or what it waits for), the runs in order, and a
 * line per freshness promise whose expected time the re-run changes.
 */
export interface RerunPreviewLines {
  node: string;
  startsWhen: string;
  runs: Array<{ order: number; taskName: string; after?: string }>;
  promises: string[];
}

/** What a retry now would do, in words for the retry link's page (issue 105): when and where, and each promise's line. */
export interface RetryPreviewLines {
  startsWhen: string;
  promises: string[];
}

/** What starting the chain again from one of its tasks would do if confirmed now: the same as a re-run's, per task offered. */
export interface ChainPreviewLines extends RerunPreviewLines {
  taskId: string;
  taskName: string;
}

export interface RemedyPort {
  /** Whether a message about this event offers a retry (an open incident of a transient error class). */
  offersRetry(e: DomainEvent): boolean;
  retryChoices(): RetryChoice[];
  /** What a retry now would do (undefined: it would be refused); records and starts nothing. */
  retryPreview?(incidentId: number): Promise<RetryPreviewLines | undefined>;
  /** Asks for the incident's task to be started again after the delay; text for the person says what happens. */
  retry(req: { incidentId: number; delayMs: number; by: string; from: "link"; ip?: string; verified: boolean }): Promise<LinkAnswer>;
  /** Whether a message about this event offers "re-run the runs the queue cancelled" (a node's queue cause). */
  offersRerun(e: DomainEvent): boolean;
  /**
   * What a re-run of the queue cause would find now, open or closed: how many of its cancelled runs have not run again,
   * and in words (which ones, or that nothing is left, with what ran). The link acts after the cause closed while any is left.
   */
  rerunLeft?(causeId: number): Promise<{ left: number; message: string }>;
  /** What the re-run would do if approved now (undefined: nothing to re-run); records and starts nothing. */
  rerunPreview?(causeId: number): Promise<RerunPreviewLines | undefined>;
  /** Asks for the runs the queue cause's node cancelled to be started again once the queue drained, in chain order. */
  rerun(req: { causeId: number; by: string; from: "link"; ip?: string; verified: boolean }): Promise<LinkAnswer>;
  /** Whether a message about this event offers "reload the app through the Engine" (an open incident of a reload task). */
  offersReload(e: DomainEvent): boolean;
  /** What reloading the app through the Engine now would do (undefined: it would be refused); records and starts nothing. */
  reloadPreview?(incidentId: number): Promise<RetryPreviewLines | undefined>;
  /** What a start from each of the chain's tasks would do now, for the chain link's page; records and starts nothing. */
  chainPreview?(incidentId: number): Promise<ChainPreviewLines[]>;
  /** Asks for the incident's app to be reloaded through the Engine, as its task would (partial or full). */
  reload(req: { incidentId: number; by: string; from: "link"; ip?: string; verified: boolean }): Promise<LinkAnswer>;
  /** Whether a message about this event offers "start the chain again from a task" (its task is in a chain Steward knows). */
  offersChain(e: DomainEvent): Promise<boolean>;
  /** The tasks of the open incident's chain, heads first: the buttons of the link's page. */
  chainTasks(incidentId: number): Promise<Array<{ id: string; name: string }>>;
  /** Asks for one task of the incident's chain to be started; the Scheduler's triggers run the rest of the chain. */
  chain(req: { incidentId: number; taskId: string; by: string; from: "link"; ip?: string; verified: boolean }): Promise<LinkAnswer>;
  /** Whether a link's action waits for a second, different person (remediation.approval: two-person). */
  needsTwoPeople?(action: "retry" | "rerun" | "reload" | "chain"): boolean;
  /** Whether the event ends the run of an action a person asked for, its outcome not told yet: renotify does not hold it. */
  endsAnAction?(e: DomainEvent): Promise<boolean>;
  /**
   * Lines for the incident's next message: what was done and how it ended (each told once). `to`: the receiver the
   * message is built for, and when; the page's receivers no message carrying an outcome reached get its update.
   */
  lines(e: DomainEvent, to?: { channel: string; recipient: string; at: number }): Promise<string[]>;
  /**
   * Why the on-call alert `key` (steward-cause-…, steward-incident-…) stays open on `channel` at `at`: an action on it is
   * pending or running, or its outcome is not told there yet; undefined when nothing holds it (start/remediation/alert-holds.ts).
   * `eventId`: the message asking (its own lines count as told).
   */
  alertHeld?(key: string, channel: string, at: number, eventId?: string): Promise<string | undefined>;
}
