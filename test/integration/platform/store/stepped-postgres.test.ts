// A PostgreSQL statement on a stepped clock is work in flight: simulated time waits for its answer. A statement that
// takes 150 ms of wall time (pg_sleep) is answered at the simulated time it was sent, while the clock is asked to run
// ten simulated minutes with a timer due every minute; a transaction the same. Uncounted, the clock jumps past those
// timers while the statement runs, and the answer comes ten minutes later.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { every } from "../../../../src/platform/core/clock";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createClusterStore } from "../../../../src/platform/store/cluster-store";
import { type PostgresService, startPostgres } from "../../../helpers/services";

const START = Date.parse("2026-03-24T06:00:00Z");
let pg: PostgresService | undefined;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

test("a slow statement and a slow transaction hold simulated time until answered", async () => {
  const clock = createSteppedClock(START);
  const url = await pg!.createDatabase("stepped_statements");
  const cfg = parseConfigText(`store:\n  postgres:\n    url: ${url}\n`, "t.yaml", "/").config.store.postgres!;
  const store = createClusterStore(cfg, "/", [], "stepped", clock);
  const stopTicks = every(clock, 60_000, () => {});
  try {
    const starting = store.component.start();
    await clock.runUntil(START);
    await starting;
    expect(clock.now()).toBe(START);

    let answeredAt: number | undefined;
    const statement = store.db.get<{ x: number }>("SELECT 1 AS x FROM pg_sleep(0.15)").then((row) => {
      answeredAt = clock.now();
      return row;
    });
    await clock.runUntil(START + 10 * 60_000);
    expect((await statement)?.x).toBe(1);
    expect(answeredAt).toBe(START);

    const sent = clock.now();
    let committedAt: number | undefined;
    const transaction = store.db
      .transaction(async (tx) => {
        await tx.get("SELECT pg_sleep(0.1)");
        return (await tx.get<{ x: number }>("SELECT 2 AS x FROM pg_sleep(0.05)"))?.x;
      })
      .then((x) => {
        committedAt = clock.now();
        return x;
      });
    await clock.runUntil(sent + 10 * 60_000);
    expect(await transaction).toBe(2);
    expect(committedAt).toBe(sent);
  } finally {
    stopTicks();
    await store.component.stop(5_000);
  }
}, 60_000);
