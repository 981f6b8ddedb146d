// The serial look (src/platform/core/serial-look.ts): one look at a time, asks during a look cost one more look after
// it, stop ends a running look cleanly, and a look that throws is logged while the loop goes on. On a stepped clock,
// so the looks' times are exact however busy the machine is.
import { expect, test } from "bun:test";
import { createSerialLook } from "../../../../src/platform/core/serial-look";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";

const T0 = Date.parse("2026-03-02T00:00:00Z");
const MIN = 60_000;

/** A look that waits until the test lets it end: the test decides what happens while it runs. */
function gate() {
  let open: () => void = () => undefined;
  const shut = () => new Promise<void>((resolve) => (open = resolve));
  return { shut, open: () => open() };
}

test("looks asked for while one runs make one more look after it, not one each, and never two at once", async () => {
  const clock = createSteppedClock(T0);
  const g = gate();
  let looks = 0;
  let together = 0;
  let most = 0;
  const loop = createSerialLook({
    clock,
    label: "a test look",
    look: async () => {
      looks++;
      most = Math.max(most, ++together);
      if (looks === 1) await g.shut();
      together--;
    },
    onError: () => undefined,
    nextDelayMs: () => MIN,
  });
  const first = loop.run();
  await Bun.sleep(0);
  expect(looks).toBe(1);
  const asks = [loop.run(), loop.run(), loop.run()];
  await Bun.sleep(0);
  expect(looks).toBe(1); // the asks wait for the look under way
  g.open();
  await Promise.all([first, ...asks]);
  expect(looks).toBe(2);
  expect(most).toBe(1);
  await loop.stop();
});

test("the timer re-arms itself after each look, at the delay asked after it, or not at all when none is given", async () => {
  const clock = createSteppedClock(T0);
  const at: number[] = [];
  let delays = [2 * MIN, 5 * MIN, undefined];
  const loop = createSerialLook({
    clock,
    look: async () => {
      at.push((clock.now() - T0) / MIN);
    },
    onError: () => undefined,
    nextDelayMs: () => delays.shift(),
  });
  loop.arm(MIN);
  await clock.runUntil(T0 + 60 * MIN);
  expect(at).toEqual([1, 3, 8]);
  expect(loop.armed()).toBe(false);
  delays = [MIN];
  loop.arm(10 * MIN); // armed again by hand (a notice queued), it goes on
  await clock.runUntil(T0 + 80 * MIN);
  expect(at).toEqual([1, 3, 8, 70, 71]);
  await loop.stop();
});

test("stop while a look runs waits for that look, drops the look asked for meanwhile and clears the timer", async () => {
  const clock = createSteppedClock(T0);
  const g = gate();
  let looks = 0;
  let ended = 0;
  const loop = createSerialLook({
    clock,
    look: async () => {
      looks++;
      await g.shut();
      ended++;
    },
    onError: () => undefined,
    nextDelayMs: () => MIN,
  });
  loop.arm(MIN);
  const running = loop.run();
  void loop.run(); // asked again meanwhile: stop drops it
  await Bun.sleep(0);
  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await Bun.sleep(5);
  expect(stopped).toBe(false); // stop waits for the look under way
  expect(loop.stopped()).toBe(true);
  g.open();
  await Promise.all([running, stopping]);
  expect(ended).toBe(1);
  expect(loop.armed()).toBe(false);
  loop.arm(MIN); // a no-op once stopped
  await clock.runUntil(T0 + 30 * MIN);
  expect(looks).toBe(1);
  expect(clock.pendingTimers()).toBe(0);
});

test("a look that throws is handed to onError, and the loop goes on: the look asked for meanwhile runs, the timer re-arms", async () => {
  const clock = createSteppedClock(T0);
  const g = gate();
  const errors: string[] = [];
  const at: number[] = [];
  const loop = createSerialLook({
    clock,
    look: async () => {
      at.push((clock.now() - T0) / MIN);
      if (at.length === 1) {
        await g.shut();
        throw new Error("the store went away");
      }
      if (at.length === 3) throw new Error("still away");
    },
    onError: (err) => errors.push((err as Error).message),
    nextDelayMs: () => MIN,
  });
  const first = loop.run();
  const asked = loop.run();
  await Bun.sleep(0);
  g.open();
  await expect(first).resolves.toBeUndefined(); // never rejects: the error went to onError
  await asked;
  expect(at).toEqual([0, 0]);
  loop.arm(MIN);
  await clock.runUntil(T0 + 3 * MIN);
  expect(at).toEqual([0, 0, 1, 2, 3]); // the timed look at 1 threw, and the timer armed the next all the same
  expect(errors).toEqual(["the store went away", "still away"]);
  await loop.stop();
});

test("start with a first delay looks at once and arms the timer for then; after stop, start goes on as before", async () => {
  const clock = createSteppedClock(T0);
  const at: number[] = [];
  const loop = createSerialLook({
    clock,
    look: async () => {
      at.push((clock.now() - T0) / MIN);
    },
    onError: () => undefined,
    nextDelayMs: () => 2 * MIN,
  });
  loop.start(MIN);
  await clock.runUntil(T0 + 4 * MIN);
  expect(at).toEqual([0, 1, 3]);
  await loop.stop();
  await clock.runUntil(T0 + 10 * MIN);
  expect(at).toEqual([0, 1, 3]);
  loop.start(MIN);
  await clock.runUntil(T0 + 12 * MIN);
  expect(at).toEqual([0, 1, 3, 10, 11]);
  await loop.stop();
});
