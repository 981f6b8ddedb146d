// The expired keys' timer comes at every purge interval even with nothing to expire: then it only looks at the
// next expiry (one query) and purges nothing; a key that expires is purged when it does.
import { expect, test } from "bun:test";
import pino from "pino";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createPurgeTimer } from "../../../../src/keep/kv/purge-timer";
import type { SqlDb } from "../../../../src/platform/store/sql";

const T0 = Date.parse("2026-05-04T00:00:00Z");
const MIN = 60_000;

test("with nothing expired, the interval's timer is one look and no purge; an expiry is purged when due", async () => {
  const clock = createSteppedClock(T0);
  let next: number | null = null;
  let looks = 0;
  const purges: number[] = [];
  const db = {
    isOpen: true,
    get: async () => {
      looks++;
      return { t: next };
    },
  } as unknown as SqlDb;
  const timer = createPurgeTimer({
    db,
    clock,
    log: pino({ level: "silent" }),
    purgeIntervalMs: MIN,
    nextExpirySql: "SELECT MIN(expires_at) AS t FROM kv_entries",
    purge: async () => {
      purges.push(clock.now());
      next = null;
      return 1;
    },
  });
  timer.run();
  await timer.arm();
  await clock.runUntil(T0 + 60 * MIN);
  expect(purges).toEqual([]);
  // The first arm, then one look a minute.
  expect(looks).toBe(1 + 60);

  // A key that expires in a minute and a half: purged then, once.
  next = clock.now() + 90_000;
  await timer.arm();
  await clock.runUntil(T0 + 70 * MIN);
  expect(purges).toEqual([T0 + 60 * MIN + 90_000]);
  await timer.stop();
});
