// The intake's queue: failures and aborts rank above successes, a queue full of them takes nothing more, and a
// failure arriving at a full queue takes the place of the newest queued success.
import { describe, expect, test } from "bun:test";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createRunQueue, priorityOf, TOP_PRIORITY, type QueueItem } from "../../../../src/hear/intake/run-queue";
import { runItem } from "./intake-parts";

function gatedQueue(size: number) {
  const served: QueueItem[] = [];
  const gates: Array<() => void> = [];
  const queue = createRunQueue(
    { queueSize: size, concurrency: 1, backpressureWarnRatio: 1 },
    {
      log: createSilentLogger(),
      now: Date.now,
      worker: async (item) => {
        served.push(item);
        await new Promise<void>((r) => gates.push(r));
      },
    },
  );
  const next = async () => {
    gates.shift()?.();
    await Bun.sleep(1);
  };
  return { queue, served, next };
}

describe("run queue", () => {
  test("failures and aborts outrank successes", () => {
    expect(priorityOf("failed")).toBe(TOP_PRIORITY);
    expect(priorityOf("aborted")).toBe(TOP_PRIORITY);
    expect(priorityOf("succeeded")).toBeLessThan(TOP_PRIORITY);
  });

  test("a queue full of failures refuses everything; a failure sheds the newest success; failures are served first", async () => {
    const { queue, served, next } = gatedQueue(2);
    const busy = runItem("succeeded");
    expect(queue.offer(busy).accepted).toBe(true); // taken by the one worker at once
    const [s1, s2, f1, f2] = [runItem("succeeded"), runItem("succeeded"), runItem("failed"), runItem("aborted")];
    expect(queue.offer(s1).accepted).toBe(true);
    expect(queue.offer(s2).accepted).toBe(true);
    expect(queue.admits(0)).toBe(false);
    expect(queue.admits(TOP_PRIORITY)).toBe(true);
    expect(queue.offer(runItem("succeeded"))).toEqual({ accepted: false });
    expect(queue.offer(f1)).toEqual({ accepted: true, shed: s2 });
    expect(queue.offer(f2)).toEqual({ accepted: true, shed: s1 });
    expect(queue.admits(TOP_PRIORITY)).toBe(false);
    expect(queue.offer(runItem("failed"))).toEqual({ accepted: false });
    await next();
    await next();
    expect(served.map((i) => i.report.outcome)).toEqual(["succeeded", "failed", "aborted"]);
    await next();
    expect(await queue.stop(100)).toEqual([]);
  });
});
