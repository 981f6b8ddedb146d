// Issue 75, O1: the queue serves the items of one priority in turns by sender. A sender's thousand queued items do
// not hold back another sender's one (it is served in the next round), and a full queue sheds from the sender with the most.
import { expect, test } from "bun:test";
import { createWorkQueue } from "../../../../src/hear/intake/work-queue";
import { createSilentLogger } from "../../../../src/platform/core/logger";

interface Item {
  from: string;
  n: number;
  rank: number;
}

function setup(size: number) {
  const served: Item[] = [];
  const gates: Array<() => void> = [];
  const q = createWorkQueue<Item>({
    name: "t",
    size,
    concurrency: 1,
    warnRatio: 1,
    log: createSilentLogger(),
    priority: (i) => i.rank,
    fairBy: (i) => i.from,
    worker: async (i) => {
      served.push(i);
      await new Promise<void>((r) => gates.push(r));
    },
  });
  /** Lets the worker finish items one at a time until `n` were served (bounded). */
  async function serve(n: number) {
    for (let i = 0; i < 10 * n && served.length < n; i++) {
      gates.shift()?.();
      await Bun.sleep(0);
    }
  }
  return { q, served, serve };
}

test("one sender's thousand queued items do not hold back another's one: it is served in the next round", async () => {
  const { q, served, serve } = setup(2_000);
  for (let n = 0; n < 1_000; n++) q.push({ from: "127.0.0.3", n, rank: 1 });
  q.push({ from: "127.0.0.1", n: 0, rank: 1 });
  await serve(3);
  // The flood's first item was taken at once; its second had its turn before the node's item came: then the node.
  expect(served.slice(0, 3).map((i) => `${i.from}#${i.n}`)).toEqual(["127.0.0.3#0", "127.0.0.3#1", "127.0.0.1#0"]);
  expect(q.depth()).toBe(998);
  await q.stop(10);
});

test("a higher rank is still served first; each sender's items keep their order", async () => {
  const { q, served, serve } = setup(100);
  q.push({ from: "a", n: 0, rank: 0 }); // taken by the worker at once
  for (let n = 1; n <= 3; n++) q.push({ from: "a", n, rank: 0 });
  for (let n = 0; n < 2; n++) q.push({ from: "b", n, rank: 0 });
  q.push({ from: "b", n: 9, rank: 1 });
  await serve(7);
  expect(served.map((i) => `${i.from}#${i.n}`)).toEqual(["a#0", "b#9", "a#1", "b#0", "a#2", "b#1", "a#3"]);
  await q.stop(10);
});

test("full: a higher rank takes the place of the newest lower-ranked item of the sender with the most", () => {
  const { q } = setup(5);
  q.push({ from: "a", n: 0, rank: 0 }); // in the worker
  for (let n = 1; n <= 3; n++) q.push({ from: "a", n, rank: 0 });
  q.push({ from: "b", n: 0, rank: 0 });
  q.push({ from: "c", n: 0, rank: 0 });
  const offer = q.offer({ from: "b", n: 1, rank: 1 });
  expect(offer).toEqual({ accepted: true, shed: { from: "a", n: 3, rank: 0 } });
  expect(q.offer({ from: "b", n: 2, rank: 0 })).toEqual({ accepted: false });
});

test("full of one sender's items of the same rank: another sender's item takes the newest one's place, handed back", () => {
  const { q } = setup(4);
  for (let n = 0; n < 5; n++) q.push({ from: "a", n, rank: 1 }); // one in the worker, four queued
  expect(q.offer({ from: "b", n: 0, rank: 1 })).toEqual({ accepted: false });
  expect(q.offerFair({ from: "b", n: 0, rank: 1 })).toEqual({ accepted: true, displaced: { from: "a", n: 4, rank: 1 } });
  expect(q.offerFair({ from: "b", n: 1, rank: 1 })).toEqual({ accepted: true, displaced: { from: "a", n: 3, rank: 1 } });
  // Two each: b has as many as a, so it takes nothing more.
  expect(q.offerFair({ from: "b", n: 2, rank: 1 })).toEqual({ accepted: false });
  expect(q.depth()).toBe(4);
});
