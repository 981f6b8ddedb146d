// When a node will have an engine free for one more reload (issue 105's "fresh at about"): each reload running there
// ends at its start plus its task's usual duration, and the runs already waiting in the node's queue take the engines
// that free first, in their order. Unknown when any of those durations is (a task never seen to succeed): a preview
// then says the fresh time is not known yet rather than guess.

/** A node's engines as remediation read them from QRS (engine-room.ts), with the runs that hold or wait for them. */
export interface NodeEngines {
  /** The node's Max concurrent reloads. */
  max: number;
  /** The reloads executing there: their task and when each started. */
  running: ReadonlyArray<{ taskId: string; sinceMs: number }>;
  /** The runs waiting there for an engine, oldest first (their tasks). */
  queued: readonly string[];
}

/** The first time at or after `nowMs` an engine is free for a run that joins the node's queue now, or undefined. */
export function engineFreeAt(e: NodeEngines, usualMsOf: (taskId: string) => number | undefined, nowMs: number): number | undefined {
  const slots: number[] = [];
  for (const r of e.running) {
    const usual = usualMsOf(r.taskId);
    if (usual === undefined) return undefined;
    slots.push(Math.max(nowMs, r.sinceMs + usual));
  }
  while (slots.length < e.max) slots.push(nowMs);
  if (slots.length === 0) return undefined;
  slots.sort((a, b) => a - b);
  // More running than the limit (an admin lowered it): the extra ones must end too before one is free.
  slots.splice(0, Math.max(0, slots.length - e.max));
  for (const taskId of e.queued) {
    const usual = usualMsOf(taskId);
    if (usual === undefined) return undefined;
    slots[0] = slots[0]! + usual;
    slots.sort((a, b) => a - b);
  }
  return slots[0];
}
