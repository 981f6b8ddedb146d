// What remediation asks of the watchdog's queue look (src/watch/watchdog/queue-watch.ts), wired in composition: the
// nodes whose Scheduler queue is backed up now. Where a node's Scheduler limit is unknown (readiness.ts), a chain's
// start waits while its node's queue is backed up, as the re-run of the queue's cancelled runs does: started into a
// full queue it would only wait there, and Qlik would cancel it past the queue's timeout.

export interface BackedUpQueue {
  /** The node as QRS names it (executingNodeName). */
  node: string;
  /** Since when runs have waited there. */
  sinceMs: number;
}

export interface QueuePort {
  /** The open queue backlogs (scheduler.queue_backlog not yet back on track), from the shared store. */
  backedUp(): Promise<BackedUpQueue[]>;
}

/** The backed-up queue a start of a task that last ran on `node` waits for; any one when the node is not known. */
export function queueFor(queues: readonly BackedUpQueue[], node: string | null | undefined): BackedUpQueue | undefined {
  if (!node) return queues[0];
  const key = node.trim().toLowerCase();
  return queues.find((q) => q.node.trim().toLowerCase() === key);
}

/** A chain's start names the node it runs on (or whose queue was backed up when it was asked for): it waits while that queue is. */
export async function waitsForQueue(queues: QueuePort | undefined, a: { kind: string; node: string | null }): Promise<boolean> {
  if (a.kind !== "chain" || !a.node || !queues) return false;
  return queueFor(await queues.backedUp(), a.node) !== undefined;
}
