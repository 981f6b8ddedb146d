// Two Stewards on one PostgreSQL store, on real time: a check that does not check in is announced once for the site
// (by the Steward holding the watchdog lease), a ping to either Steward counts, and the Steward that takes over when
// the leader stops neither repeats the open condition nor forgets it: its recovery comes once, from the new leader.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const KEY = "cluster-check-key-0123456789";
const dir = createTempDir();
let pg: PostgresService;
const stewards = new Map<string, TestApp>();
const events: Array<{ by: string; e: WatchdogEvent }> = [];
/**
 * Both Stewards' clock: the wall's, moved on once the check's first judgement has set when it is watched from, so
 * that its first due time and grace (up to 13 s) are behind it at once instead of waited for. The leases are
 * reckoned by the database's clock and are not moved.
 */
let skippedMs = 0;
const clock = offsetClock(systemClock, () => skippedMs);

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("checkins_cluster");
  for (const name of ["alpha", "beta"]) {
    // Due every 10 s (a 6-field cron), 3 s grace: a missed check-in within about 13 s of the start.
    const t = createTestApp(
      `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\nhttp:\n  port: 0\n  host: 127.0.0.1\ncheckins:\n  interval: 200ms\n  checks:\n    nightly:\n      key: ${KEY}\n      cron: "*/10 * * * * *"\n      grace: 3s\n      feeds: { appNames: [Sales] }\n`,
      { dir: join(dir.path, name), clock },
    );
    for (const k of ["checkin.missed", "checkin.recovered"] as const) t.app.bus.on(k, (e) => void events.push({ by: name, e: e as WatchdogEvent }));
    stewards.set(name, t);
  }
  await Promise.all([...stewards.values()].map((s) => s.app.start()));
}, 90_000);

afterAll(async () => {
  for (const s of stewards.values()) await s.close().catch(() => {});
  await pg?.stop();
  dir.remove();
});

/** Three judgements by the Steward holding the watchdog lease (the loop's own run, had it come in 200 ms). */
async function judgeThrice(name: string): Promise<void> {
  const t = stewards.get(name)!;
  for (let i = 0; i < 3; i++) await t.app.checkins!.service.judgeNow();
}

test("missed once for the site; after the leader stops, a ping to the other Steward ends it once, from the new leader", async () => {
  await waitFor(() => [...stewards.values()].some((t) => t.app.checkins!.service.lastJudgedAt() !== undefined), { what: "a first judgement" });
  skippedMs = 14_000;
  await waitFor(() => events.some((x) => x.e.kind === "checkin.missed"), { timeoutMs: 30_000 });
  const leader = events.find((x) => x.e.kind === "checkin.missed")!.by;
  const other = leader === "alpha" ? "beta" : "alpha";
  await stewards.get(leader)!.app.stop();
  // The other Steward takes the lease and judges again several times: the open condition is not announced again.
  await waitFor(() => stewards.get(other)!.app.cluster.holds("watchdog"), { what: `${other} to take the watchdog lease`, timeoutMs: 10_000 });
  await judgeThrice(other);
  expect(events.map((x) => [x.by, x.e.kind])).toEqual([[leader, "checkin.missed"]]);
  const base = stewards.get(other)!.app.server!.url().replace(/\/$/, "");
  expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "done" })).status).toBe(200);
  await waitFor(() => events.some((x) => x.e.kind === "checkin.recovered"), { timeoutMs: 10_000 });
  // A second recovery would come from the next judgements.
  await judgeThrice(other);
  expect(events.map((x) => [x.by, x.e.kind])).toEqual([
    [leader, "checkin.missed"],
    [other, "checkin.recovered"],
  ]);
  const stored = await stewards.get(other)!.app.sharedStore.sql.all<{ steward: string; body: string }>("SELECT steward, body FROM checkin_pings");
  expect(stored).toEqual([{ steward: other, body: "done" }]);
}, 60_000);
