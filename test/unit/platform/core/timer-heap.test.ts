// The stepped clock's timer heap against the plain rule it replaced (scan every armed timer for the earliest due,
// the earliest armed on a tie), over a seeded mix of arming, clearing, firing and rebuilding.
import { expect, test } from "bun:test";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { createTimerHeap, type HeapTimer } from "../../../../src/platform/core/timer-heap";

const scanFirst = (armed: Map<number, HeapTimer>) => {
  let best: HeapTimer | undefined;
  for (const t of armed.values()) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
  return best;
};

test("the heap gives the timer a scan of every armed timer gives, ties to the earliest armed", () => {
  const rnd = createRandom(7);
  const heap = createTimerHeap<HeapTimer>();
  const armed = new Map<number, HeapTimer>();
  let id = 0;
  const picked: Array<number | undefined> = [];
  for (let step = 0; step < 20_000; step++) {
    const r = rnd.next();
    if (r < 0.5) {
      // Few distinct due times, so ties are common.
      const t = { id: ++id, due: Math.floor(rnd.next() * 50) };
      armed.set(t.id, t);
      heap.push(t);
    } else if (r < 0.7 && armed.size > 0) {
      const ids = [...armed.keys()];
      armed.delete(ids[Math.floor(rnd.next() * ids.length)]!);
    } else if (r < 0.72) {
      heap.rebuild(armed.values());
    } else {
      const want = scanFirst(armed);
      const got = heap.first((t) => armed.get(t.id) === t);
      expect(got?.id).toBe(want?.id);
      picked.push(got?.id);
      if (got && r > 0.85) armed.delete(got.id);
    }
  }
  expect(picked.filter((p) => p !== undefined).length).toBeGreaterThan(1000);
});

test("a stepped clock with many timers cleared fires the rest in due order", async () => {
  const clock = createSteppedClock(0);
  const order: number[] = [];
  const handles = [];
  for (let i = 0; i < 5_000; i++) {
    const due = (i * 37) % 1000;
    handles.push({ i, due, h: clock.setTimeout(() => order.push(i), due) });
  }
  // Clear four in five: the heap must not keep the cleared ones once they outnumber the armed ones.
  for (const x of handles) if (x.i % 5 !== 0) clock.clearTimeout(x.h);
  expect(clock.pendingTimers()).toBe(1_000);
  await clock.runUntil(1_000);
  const expected = handles
    .filter((x) => x.i % 5 === 0)
    .sort((a, b) => a.due - b.due || a.i - b.i)
    .map((x) => x.i);
  expect(order).toEqual(expected);
});
