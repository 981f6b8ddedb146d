// The shared run-then-wait loop of the watchdog, the Qlik Cloud watchers and the site monitors.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLoop } from "../../../../src/platform/core/loop";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";

const settle = () => new Promise((r) => setImmediate(r));

test("runs at start, never two at once, a run on demand joins the one in progress, stop waits for it", async () => {
  let runs = 0;
  let inFlight = 0;
  let most = 0;
  let release: () => void = () => {};
  const clock = createManualClock(0);
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
    clock,
  );
  loop.start();
  await clock.advance(0);
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

test("wake brings the next run forward; the wait after each run is asked anew and kept on the clock", async () => {
  let runs = 0;
  const waits: number[] = [];
  const clock = createManualClock(0);
  const loop = createLoop(
    "t",
    async () => {
      runs++;
    },
    () => {
      const w = runs === 1 ? 60_000 : 5_000;
      waits.push(w);
      return w;
    },
    clock,
  );
  loop.start();
  await clock.advance(0);
  await settle();
  expect(runs).toBe(1);
  await clock.advance(59_999);
  expect(runs).toBe(1);
  loop.wake();
  await clock.advance(0);
  await settle();
  expect(runs).toBe(2);
  await clock.advance(4_999);
  expect(runs).toBe(2);
  await clock.advance(1);
  await settle();
  expect(runs).toBe(3);
  await loop.stop(1_000);
  await clock.advance(60_000);
  expect(runs).toBe(3);
  expect(waits.slice(0, 2)).toEqual([60_000, 5_000]);
});

test("a wake during a run brings the run after it forward (what woke the loop may have come after the run read its state)", async () => {
  let runs = 0;
  let release: (() => void) | undefined;
  const clock = createManualClock(0);
  const loop = createLoop(
    "t",
    () => {
      runs++;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    () => 60_000,
    clock,
  );
  loop.start();
  await clock.advance(0);
  expect(runs).toBe(1);
  loop.wake();
  release!();
  await settle();
  await clock.advance(0);
  await settle();
  expect(runs).toBe(2);
  // A run on demand woken meanwhile: the timer's next run comes at once too, and only once.
  release!();
  await settle();
  const onDemand = loop.runNow();
  loop.wake();
  release!();
  await onDemand;
  await settle();
  expect(runs).toBe(3);
  await clock.advance(0);
  await settle();
  expect(runs).toBe(4);
  release!();
  await settle();
  await clock.advance(59_999);
  expect(runs).toBe(4);
  await clock.advance(1);
  expect(runs).toBe(5);
  release!();
  await loop.stop(1_000);
});

test("on a stepped clock a run is work in flight: time does not move while it waits on real I/O", async () => {
  const clock = createSteppedClock(Date.parse("2026-03-02T00:00:00Z"));
  const seen: string[] = [];
  const t0 = clock.now();
  const at = () => `${(clock.now() - t0) / 1000} s`;
  // A run that waits 100 ms of wall time (an HTTPS call to a Qlik Cloud tenant, say) on nothing the clock knows of.
  const loop = createLoop(
    "poll",
    async () => {
      seen.push(`run starts at ${at()}`);
      await Bun.sleep(100);
      seen.push(`run ends at ${at()}`);
    },
    () => 60_000,
    clock,
  );
  clock.setTimeout(() => seen.push(`a timer due at ${at()}`), 1_000);
  loop.start();
  await clock.runUntil(t0 + 61_000);
  await loop.stop(1_000);
  expect(seen).toEqual(["run starts at 0 s", "run ends at 0 s", "a timer due at 1 s", "run starts at 60 s", "run ends at 60 s"]);
});

test("a run after now begins after the call: during a run it waits for it and runs again, once for the callers that came during it", async () => {
  // `GET /v4/license?refresh=true` right after the license was renewed joined a run that had read QRS before: it
  // answered the old reading and raised no alert until the next run, an hour later.
  let value = "old";
  const readings: string[] = [];
  let release: () => void = () => {};
  const clock = createManualClock(0);
  const loop = createLoop(
    "t",
    async () => {
      const read = value;
      await new Promise<void>((r) => (release = r));
      readings.push(read);
    },
    () => 60_000,
    clock,
  );
  loop.start();
  await clock.advance(0);
  value = "new"; // changed while the run is on its way, after it read
  const a = loop.runAfterNow();
  const b = loop.runAfterNow();
  expect(a).toBe(b);
  release();
  await settle();
  expect(readings).toEqual(["old"]);
  release();
  await a;
  expect(readings).toEqual(["old", "new"]);
  // With no run in progress it is a run now.
  const c = loop.runAfterNow();
  release();
  await c;
  expect(readings).toEqual(["old", "new", "new"]);
  await loop.stop(1_000);
});

test("a run after now follows a run that failed, and a later call during a run does not get that failure back", async () => {
  const outcomes: string[] = [];
  let release: (fail: boolean) => void = () => {};
  const clock = createManualClock(0);
  const loop = createLoop(
    "t",
    async () => {
      const fail = await new Promise<boolean>((r) => (release = r));
      outcomes.push(fail ? "failed" : "ok");
      if (fail) throw new Error("QRS did not answer");
    },
    () => 60_000,
    clock,
  );
  loop.start();
  await clock.advance(0);
  release(false); // the start's own run
  await settle();
  const failing = loop.runNow().catch((err: Error) => err.message); // a run on demand that will fail
  const after = loop.runAfterNow();
  release(true);
  expect(await failing).toBe("QRS did not answer");
  await settle();
  release(false); // the run after it reads, and succeeds
  await after;
  expect(outcomes).toEqual(["ok", "failed", "ok"]);
  // Another run in progress, and a refresh asked during it: a run of its own follows, not the old failure.
  const during = loop.runNow();
  const next = loop.runAfterNow();
  release(false);
  await during;
  await settle();
  release(false);
  await next;
  expect(outcomes).toEqual(["ok", "failed", "ok", "ok", "ok"]);
  await loop.stop(1_000);
});

test("a wait that is no number stops the loop with an error naming it, instead of running it again at once", async () => {
  // In a process of its own: the error reaches the process's unhandled-rejection handler (the last-resort guard's).
  const script = `
import { createManualClock } from ${JSON.stringify(join(import.meta.dir, "../../../../src/platform/core/clock"))};
import { createLoop } from ${JSON.stringify(join(import.meta.dir, "../../../../src/platform/core/loop"))};
const caught = [];
process.on("unhandledRejection", (reason) => caught.push(String(reason)));
const clock = createManualClock(0);
let runs = 0;
createLoop("reads", async () => void runs++, () => Number.NaN, clock).start();
for (let i = 0; i < 5; i++) await clock.advance(1_000);
await new Promise((r) => setTimeout(r, 20));
console.log(JSON.stringify({ runs, caught, now: clock.now() }));
`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { runs: number; caught: string[]; now: number };
  expect(result.runs).toBe(1);
  expect(result.now).toBe(5_000);
  expect(result.caught).toEqual(["RangeError: the reads loop was told to wait NaN ms before its next run; it stops (a bug: report it)"]);
});
