// The intake queue's shedding rule: served by priority (failures before successes); when full, a new item takes
// the place of the most recently queued lower-priority item, which is handed back to be counted; an item that
// outranks nothing is refused, and `admits` says so before any other work is done on it.
import { describe, expect, test } from "bun:test";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createWorkQueue, type WorkQueue } from "../../../../src/hear/intake/work-queue";

type Item = { id: string; outcome: "failed" | "aborted" | "succeeded" };
const rank = (i: Item) => (i.outcome === "succeeded" ? 0 : 1);

/** A queue whose single worker is held until `release()`; `served` lists what the worker got, in order. */
function heldQueue(size: number) {
  const served: string[] = [];
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  const q: WorkQueue<Item> = createWorkQueue<Item>({
    name: "t",
    size,
    concurrency: 1,
    warnRatio: 2,
    log: createSilentLogger(),
    priority: rank,
    worker: async (i) => {
      served.push(i.id);
      await gate;
    },
  });
  return {
    q,
    served,
    release() {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
  };
}

const s = (id: string): Item => ({ id, outcome: "succeeded" });
const f = (id: string): Item => ({ id, outcome: "failed" });

describe("work queue shedding", () => {
  test("a full queue sheds the newest success to keep a failure, and refuses a success", () => {
    const { q } = heldQueue(3);
    q.offer(s("busy")); // taken by the worker at once
    for (const id of ["s1", "s2", "s3"]) expect(q.offer(s(id))).toEqual({ accepted: true });
    expect(q.admits(0)).toBe(false);
    expect(q.admits(1)).toBe(true);
    expect(q.offer(s("s4"))).toEqual({ accepted: false });
    expect(q.offer(f("f1"))).toEqual({ accepted: true, shed: s("s3") });
    expect(q.offer(f("f2"))).toEqual({ accepted: true, shed: s("s2") });
    expect(q.offer(f("f3"))).toEqual({ accepted: true, shed: s("s1") });
    // Only failures left: a new failure outranks nothing and is refused, like push() when full.
    expect(q.admits(1)).toBe(false);
    expect(q.offer(f("f4"))).toEqual({ accepted: false });
    expect(q.push(f("f5"))).toBe(false);
    expect(q.depth()).toBe(3);
  });

  test("failures are served before successes queued earlier; FIFO within a priority", async () => {
    const { q, served, release } = heldQueue(10);
    q.offer(s("busy"));
    for (const i of [s("s1"), f("f1"), s("s2"), f("f2")]) q.offer(i);
    while (served.length < 5) {
      release();
      await Bun.sleep(1);
    }
    expect(served).toEqual(["busy", "f1", "f2", "s1", "s2"]);
  });

  test("many items cost the same per item (lanes, not a scan of the queue)", () => {
    const { q } = heldQueue(50_000);
    q.offer(s("busy"));
    for (let i = 0; i < 50_000; i++) q.offer(s(`s${i}`));
    let shed = 0;
    for (let i = 0; i < 50_000; i++) if (q.offer(f(`f${i}`)).accepted) shed++;
    expect(shed).toBe(50_000);
    expect(q.depth()).toBe(50_000);
  });

  test("stop hands back every queued item of every priority", async () => {
    const { q, release } = heldQueue(10);
    q.offer(s("busy"));
    q.offer(s("s1"));
    q.offer(f("f1"));
    const left = q.stop(1000);
    release();
    expect((await left).map((i) => i.id)).toEqual(["f1", "s1"]);
  });
});
