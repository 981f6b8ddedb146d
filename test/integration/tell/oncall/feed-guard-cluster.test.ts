// Issue 103: the bound on wrong calendar-feed tokens per client address is the site's, not each Steward's. Two
// Stewards on one PostgreSQL behind a load balancer: a guesser whose wrong URLs alternate between them is held back
// (429 on both) after FEED_MISSES_PER_CLIENT in all, not after that many on each. On either store the guard's table
// keeps one row per address, forgets windows gone by, starts over past its bound, and cuts an overlong address.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { createFeedGuard, FEED_MISS_WINDOW_MS, FEED_MISSES_PER_CLIENT, feedGuardMigrations } from "../../../../src/tell/oncall/feed-guard";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { bothBackends } from "../../../helpers/sql-backends";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";

const ADMIN = "oncall-feed-guard-cluster-admin-key-4f1b";
const YAML = () => `http: { port: 0 }
security:
  apiKeys:
    - { name: admins, hash: "sha256:${sha256Hex(ADMIN)}", scopes: [admin] }
oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
`;

const running: StoreStewards[] = [];
const backends = bothBackends();
afterAll(async () => {
  for (const s of running) await s.stop();
  for (const b of backends) await b.shutdown();
});

for (const backend of ["sqlite", "postgres"] as const) {
  test(`a guesser spread over the Stewards gets one budget on the site (${backend})`, { timeout: 120_000 }, async () => {
    const stewards = await startStoreStewards(backend, "feed_guard_cluster", YAML);
    running.push(stewards);
    const { apps } = stewards;
    const from = (i: number, ip: string, path: string, init: RequestInit = {}) =>
      Promise.resolve(apps[i % apps.length]!.app.http.hono.request(path, init, { remoteAddress: ip }));
    const made = await from(0, "10.0.0.2", "/v4/oncall/feeds", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ADMIN },
      body: JSON.stringify({ person: "anna@corp.example" }),
    });
    expect(made.status).toBe(201);
    const feedPath = new URL(((await made.json()) as { url: string }).url).pathname;
    // Each wrong URL to the next Steward, as a load balancer's round robin hands them out.
    for (let i = 0; i < FEED_MISSES_PER_CLIENT; i++) expect((await from(i, "10.0.0.66", `/v4/oncall/feeds/guess${i}${"z".repeat(38)}.ics`)).status).toBe(404);
    for (let i = 0; i < apps.length; i++) {
      const held = await from(i, "10.0.0.66", feedPath);
      expect(held.status).toBe(429);
      expect(Number(held.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // Another address is not held back by this one's misses, on any Steward.
    for (let i = 0; i < apps.length; i++) expect((await from(i, "10.0.0.67", feedPath)).status).toBe(200);
  });
}

describe("the guard's table stays small", () => {
  for (const backend of backends) {
    test(`one row per address, windows gone by forgotten, an overlong address cut (${backend.name})`, async () => {
      const db = await backend.open([coreMigrations, feedGuardMigrations]);
      const clock = createManualClock(Date.parse("2026-11-25T12:00:00Z"));
      const a = createFeedGuard(db, clock);
      const b = createFeedGuard(db, clock);
      for (let i = 0; i < 5; i++) await (i % 2 ? a : b).miss("10.0.0.1");
      await a.miss("10.0.0.2");
      await b.miss(`2001:db8::${"f".repeat(500)}`);
      const rows = async () => db.all<{ client: string; misses: number }>("SELECT client, misses FROM oncall_feed_misses ORDER BY client");
      expect((await rows()).map((r) => [r.client.length, Number(r.misses)])).toEqual([
        [8, 5],
        [8, 1],
        [64, 1],
      ]);
      await clock.advance(FEED_MISS_WINDOW_MS + 1);
      expect(await a.waitSeconds("10.0.0.1")).toBe(0);
      await a.miss("10.0.0.3");
      expect((await rows()).map((r) => r.client)).toEqual(["10.0.0.3"]);
    });
  }
});
