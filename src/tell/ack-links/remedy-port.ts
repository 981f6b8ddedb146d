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

export interface RemedyPort {
  /** Whether a message about this event offers a retry (an open incident of a transient error class). */
  offersRetry(e: DomainEvent): boolean;
  retryChoices(): RetryChoice[];
  /** Asks for the incident's task to be started again after the delay; text for the person says what happens. */
  retry(req: { incidentId: number; delayMs: number; by: string; from: "link"; ip?: string }): Promise<LinkAnswer>;
  /** Whether a message about this event offers "re-run the runs the queue cancelled" (a node's queue cause). */
  offersRerun(e: DomainEvent): boolean;
  /** Asks for the runs the queue cause's node cancelled to be started again once the queue drained, in chain order. */
  rerun(req: { causeId: number; by: string; from: "link"; ip?: string }): Promise<LinkAnswer>;
  /** Lines for the incident's next message: what was done and how it ended (each told once). */
  lines(e: DomainEvent): Promise<string[]>;
}
