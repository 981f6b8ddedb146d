// At stop, the outbox worker's sends still on their way get the shutdown budget to finish (wall time: they wait on real
// I/O); past it they are aborted and hand their rows back. Split from worker.ts.
import { type Timer, wallClock } from "../../platform/core/clock";

/** Lets in-flight sends finish within the budget, keeping a slice of it to abort the rest (they hand their rows back). */
export async function drainInFlight(inflight: ReadonlyMap<number, { ac: AbortController; done: Promise<void> }>, budgetMs: number): Promise<void> {
  const pending = [...inflight.values()];
  if (pending.length === 0) return;
  const wait = Math.max(0, budgetMs - 500);
  let t: Timer | undefined;
  await Promise.race([Promise.all(pending.map((p) => p.done)), new Promise<void>((r) => (t = wallClock.setTimeout(r, wait)))]);
  wallClock.clearTimeout(t);
  for (const p of inflight.values()) p.ac.abort(new Error("Steward is stopping"));
  await Promise.race([Promise.all([...inflight.values()].map((p) => p.done)), new Promise<void>((r) => wallClock.setTimeout(r, 300))]);
}
