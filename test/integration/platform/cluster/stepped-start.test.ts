// A cluster member started on a stepped clock starts in the same simulated second on every run: loading the
// PostgreSQL client (cold, the first time in a process), connecting and migrating are work in flight, so simulated
// time waits for them instead of running on while the module loads.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir();
let pg: PostgresService | undefined;
let t: TestApp | undefined;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await t?.close();
  await pg?.stop();
  dir.remove();
});

test("the first member's start, the client loaded cold, takes the one simulated second a start takes", async () => {
  const start = Date.parse("2026-11-24T08:00:00Z");
  const clock = createSteppedClock(start);
  t = await startSteppedMember(clock, await pg!.createDatabase(`stepped_start_${Date.now()}`), "alpha", dir.path);
  expect(clock.now() - start).toBe(1_000);
}, 120_000);
