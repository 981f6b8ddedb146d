// The request deadline (core/deadline.ts): the bound every store-bound request is answered within stays below the
// HTTP server's idle timeout as its timer enforces it; the deadline binds only while its request is being handled.
import { expect, test } from "bun:test";
import { currentDeadline, STORE_ANSWER_BOUND_MS, STORE_DEADLINE_MS, untilDeadline, withDeadline } from "../../../../src/platform/core/deadline";
import { IDLE_TIMEOUT_SECONDS } from "../../../../src/platform/http/server";

test("the answer bound is below the idle timeout's earliest close (its 4 s ticks: 8 s for 10 s), with room after the deadline", () => {
  const earliestClose = (Math.ceil(IDLE_TIMEOUT_SECONDS / 4) - 1) * 4_000;
  expect(STORE_ANSWER_BOUND_MS).toBeLessThan(earliestClose);
  expect(STORE_DEADLINE_MS).toBeLessThan(STORE_ANSWER_BOUND_MS);
});

test("the deadline is seen inside the request, nested calls included, and no longer once it is answered", async () => {
  expect(currentDeadline()).toBeUndefined();
  let inside: number | undefined;
  let after: unknown = "unset";
  let release!: () => void;
  const later = new Promise<void>((r) => {
    release = r;
  });
  await withDeadline(1_000, async () => {
    await Promise.resolve();
    inside = currentDeadline()?.remainingMs();
    void later.then(() => {
      after = currentDeadline();
    });
  });
  release();
  await later;
  await Promise.resolve();
  expect(inside).toBeGreaterThan(900);
  expect(after).toBeUndefined();
});

test("untilDeadline gives the work's outcome in time, else the expiry's error when the deadline has passed (the work never ends)", async () => {
  await withDeadline(500, async () => {
    expect(await untilDeadline(Promise.resolve(7), currentDeadline()!, () => new Error("late"))).toBe(7);
  });
  await withDeadline(0, async () => {
    await expect(untilDeadline(new Promise<never>(() => {}), currentDeadline()!, () => new Error("late"))).rejects.toThrow("late");
  });
});

test("a synchronous piece of work is answered synchronously, with the deadline in force while it runs and not after", async () => {
  let inside: number | undefined;
  let later: unknown = "unset";
  const answer = withDeadline(1_000, () => {
    inside = currentDeadline()?.remainingMs();
    void Promise.resolve().then(() => {
      later = currentDeadline();
    });
    return 7;
  });
  expect(answer).toBe(7);
  expect(inside).toBeGreaterThan(900);
  await Promise.resolve();
  expect(later).toBeUndefined();
  expect(() =>
    withDeadline(1_000, () => {
      throw new Error("thrown");
    }),
  ).toThrow("thrown");
  expect(currentDeadline()).toBeUndefined();
});
