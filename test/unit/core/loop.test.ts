// The shared run-then-wait loop of the watchdog, the Qlik Cloud watchers and the site monitors.
import { expect, test } from "bun:test";
import { createLoop } from "../../../src/core/loop";

test("runs at start, never two at once, a run on demand joins the one in progress, stop waits for it", async () => {
  let runs = 0;
  let inFlight = 0;
  let most = 0;
  let release: () => void = () => {};
  const loop = createLoop(
    "t",
    async () => {
      runs++;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => (release = r));
      inFlight--;
    },
    () => 60_000,
  );
  loop.start();
  await Bun.sleep(10);
  expect(runs).toBe(1);
  const a = loop.runNow();
  const b = loop.runNow();
  expect(a).toBe(b);
  expect(runs).toBe(1);
  const stopped = Promise.resolve(loop.stop(1_000));
  let done = false;
  void stopped.then(() => (done = true));
  await Bun.sleep(10);
  expect(done).toBe(false);
  release();
  await stopped;
  expect(most).toBe(1);
});

test("wake brings the next run forward; the wait after each run is asked anew", async () => {
  let runs = 0;
  const waits: number[] = [];
  const loop = createLoop(
    "t",
    async () => {
      runs++;
    },
    () => {
      const w = runs === 1 ? 60_000 : 5;
      waits.push(w);
      return w;
    },
  );
  loop.start();
  await Bun.sleep(20);
  expect(runs).toBe(1);
  loop.wake();
  await Bun.sleep(40);
  await loop.stop(1_000);
  expect(runs).toBeGreaterThanOrEqual(3);
  expect(waits[0]).toBe(60_000);
});
