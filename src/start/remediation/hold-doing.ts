// What a hold says is being done on an incident, in words (issue 101): a rule's counted retry and its time, a re-run's
// wait, the Engine reload of the task's app, a chain's restart from one of its tasks and what it waits for. The same
// words reach the incident's REST answer, the dashboard, the assistant and the watchdog's held-back reason.

export interface HeldAction {
  kind: string;
  status: string;
  taskName: string;
  /** A rule's retries are counted (its pages name "retry 2"); null for a person's ask: each press is its own. */
  attempt: number | null;
  /** What a pending action waits for, as its row says it (a node's queue, a free engine); null when nothing. */
  note: string | null;
  /** A re-run after another in chain order: it waits for that one to end first. */
  afterEarlier?: boolean;
  /** The app an Engine reload refreshes, as the chain plan names it; undefined when the plan does not know it. */
  appName: string | undefined;
}

/** The action, in a person's words: "Engine reload of Sales dashboard", "chain restart from Extract sales". */
function nounOf(a: HeldAction): string {
  if (a.kind === "reload") return `Engine reload of ${a.appName ?? `the app of ${a.taskName}`}`;
  if (a.kind === "chain") return `chain restart from ${a.taskName}`;
  if (a.kind === "rerun") return "re-run";
  return a.attempt === null ? "retry" : `retry ${a.attempt}`;
}

export function doingOf(a: HeldAction): string {
  const noun = nounOf(a);
  if (a.status === "awaiting") return `${a.kind === "retry" ? "retry" : noun} waiting for a second person to confirm it`;
  if (a.status === "started") return `${noun} running`;
  // A re-run and a chain's start wait for their node's queue to drain or a free engine there (readiness.ts notes which
  // on its row: "waiting for a free engine on reload01: 2 of 2 busy"); a later re-run for the one before it.
  if ((a.kind === "chain" || a.kind === "rerun") && a.note?.startsWith("waiting for ")) return `${noun} ${a.note}`;
  if (a.kind === "rerun") return a.afterEarlier ? "re-run waiting for the re-run before it (chain order)" : "re-run waiting for the queue and a free engine";
  return `${noun} due`;
}

/** What a person asked, as the watchdog's held-back reason says it ("anna@corp.example asked to …"). */
export function askedWords(kind: string, taskName: string): string {
  if (kind === "reload") return `reload the app of task "${taskName}" through the Engine`;
  if (kind === "chain") return `restart the chain from task "${taskName}"`;
  return `${kind === "rerun" ? "re-run" : "retry"} task "${taskName}"`;
}

/**
 * What the page waits for. An Engine reload refreshes one app: the apps after its task in the chain are judged again
 * once it ends, whatever its outcome (the Scheduler's triggers do not run after it).
 */
export const pagedWhen = (kind: string) => (kind === "reload" ? "judged again once it ends" : "paged only if it fails");
