// The simulator's injected delays end early when the test releases their fault: a request can be held for as long as a
// test needs (no race between a fixed delay and the machine's speed) and let go once the test is done with it.
import { expect, test } from "bun:test";
import { createFaults } from "../../../src/sim/traffic/faults";

test("release ends the delays a fault holds now, also after the fault was removed", async () => {
  const faults = createFaults();
  const f = faults.add({ target: "qrs", pathContains: "task/full", delayMs: 600_000 }, 0);
  const taken = faults.take({ target: "qrs", method: "GET", path: "/qrs/task/full" }, 0)!;
  expect(taken.id).toBe(f.id);
  let answered = 0;
  const held = [faults.hold(taken), faults.hold(taken)].map((p) => p.then(() => answered++));
  // Removing the fault stops it matching new requests; the requests it holds stay held.
  expect(faults.remove(f.id)).toBe(true);
  expect(faults.take({ target: "qrs", method: "GET", path: "/qrs/task/full" }, 0)).toBeUndefined();
  await Bun.sleep(50);
  expect(answered).toBe(0);
  expect(faults.release(f.id)).toBe(true);
  await Promise.all(held);
  expect(answered).toBe(2);
  // Nothing left to release, and an unknown fault is not there to release.
  expect(faults.release(f.id)).toBe(false);
  expect(faults.release("no-such-fault")).toBe(false);
});

test("release of an active fault removes it; a fault without a delay holds nothing", async () => {
  const faults = createFaults();
  const slow = faults.add({ target: "engine", rpcMethod: "EvaluateEx", delayMs: 600_000 }, 0);
  const failing = faults.add({ target: "qrs", status: 503 }, 0);
  await faults.hold(failing); // no delay: at once
  expect(faults.release(slow.id)).toBe(true);
  expect(faults.list(0).map((x) => x.id)).toEqual([failing.id]);
});
