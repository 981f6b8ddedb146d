// Bounded queue: concurrency limit, drop when full, stop returns what never started, backpressure log.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createWorkQueue } from "../../../../src/hear/intake/work-queue";
import { createLineBudget, createLogThrottle } from "../../../../src/hear/intake/log-throttle";

function logs() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l)) }) };
}

describe("work queue", () => {
  test("runs at most `concurrency` items, drops beyond `size`, warns on backpressure once", async () => {
    const { lines, log } = logs();
    const gates: Array<() => void> = [];
    const done: number[] = [];
    let active = 0;
    let maxActive = 0;
    const q = createWorkQueue<number>({
      name: "t",
      size: 3,
      concurrency: 2,
      warnRatio: 0.6,
      log,
      worker: async (n) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => gates.push(r));
        active--;
        done.push(n);
      },
    });
    const accepted = [1, 2, 3, 4, 5, 6, 7].map((n) => q.push(n));
    expect(accepted).toEqual([true, true, true, true, true, false, false]);
    expect(q.active()).toBe(2);
    expect(q.depth()).toBe(3);
    expect(lines.filter((l) => String(l.msg).startsWith("intake queue is filling up"))).toHaveLength(1);
    while (done.length < 5) {
      gates.shift()?.();
      await Bun.sleep(1);
    }
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(maxActive).toBe(2);
    expect(lines.some((l) => l.msg === "intake queue backpressure cleared")).toBe(true);
  });

  test("stop hands back items that never started and refuses new ones", async () => {
    const { log } = logs();
    let release!: () => void;
    const q = createWorkQueue<string>({ name: "t", size: 10, concurrency: 1, warnRatio: 1, log, worker: () => new Promise<void>((r) => (release = r)) });
    q.push("a");
    q.push("b");
    q.push("c");
    const stopping = q.stop(1000);
    release();
    expect(await stopping).toEqual(["b", "c"]);
    expect(q.push("d")).toBe(false);
  });
});

describe("log throttle", () => {
  test("once per key per interval, reporting how many were suppressed", () => {
    let now = 0;
    const t = createLogThrottle(60_000, () => now);
    expect(t.take("a")).toBe(0);
    expect(t.take("a")).toBeUndefined();
    expect(t.take("a")).toBeUndefined();
    expect(t.take("b")).toBe(0);
    now = 60_000;
    expect(t.take("a")).toBe(2);
  });
  test("an overall budget per interval, whatever the key, reporting how many lines were held back", () => {
    let now = 0;
    const b = createLineBudget(2, 60_000, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([0, 0, undefined, undefined]);
    now = 60_000;
    expect(b.take()).toBe(2);
    expect(b.take()).toBe(0);
  });
  test("a new key when the table is full costs O(1), not a sweep of every key (forged sources are all new)", () => {
    let steps = 0;
    const original = Map.prototype[Symbol.iterator];
    const countSteps = function (this: Map<unknown, unknown>) {
      const it = original.call(this);
      return {
        next: () => (steps++, it.next()),
        [Symbol.iterator]() {
          return this;
        },
      };
    } as unknown as typeof original;
    Map.prototype[Symbol.iterator] = countSteps;
    try {
      const t = createLogThrottle(60_000, () => 0, 1_000);
      for (let i = 0; i < 5_000; i++) t.take(`10.0.${i >> 8}.${i & 255}`);
    } finally {
      Map.prototype[Symbol.iterator] = original;
    }
    // One sweep per interval at most, plus a step per eviction.
    expect(steps).toBeLessThan(4 * 5_000);
  });
  test("bounded number of keys", () => {
    const t = createLogThrottle(60_000, () => 0, 3);
    for (const k of ["a", "b", "c", "d"]) expect(t.take(k)).toBe(0);
    expect(t.take("d")).toBeUndefined();
  });
});
