// The ping API and the judge through a running Steward on its embedded store, its time on a manual clock: each ping
// kind moves the check's state; an unknown key, a bad signal, an oversized body and a flood get a clear status and
// store nothing; a check-in that does not arrive raises checkin.missed once (naming what it feeds) and its recovery
// once. The same on PostgreSQL: checkin-store.test.ts (store and judge) and checkin-cluster.test.ts (two Stewards).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import type { SqlValue } from "../../../../src/platform/store/sql";
import { createTestApp, type TestApp } from "../../../helpers/app";

const ERP_KEY = "erp-extract-key-0123456789";
const API_KEY = "api-job-key-abcdefghijklmn";
describe("a Steward with two checks", () => {
  let t: TestApp;
  let clock: ManualClock;
  let base: string;
  const events: WatchdogEvent[] = [];

  beforeAll(async () => {
    // Monday 2026-11-23 04:00 in Stockholm.
    clock = createManualClock(Date.parse("2026-11-23T03:00:00Z"));
    t = createTestApp(
      `http:\n  port: 0\n  host: 127.0.0.1\n  bodyLimitBytes: 65536\nnotify: { timeZone: Europe/Stockholm }\ncheckins:\n  interval: 1h\n  logMaxBytes: 1000\n  keepPings: 10\n  rateLimit: { requests: 8, window: 1m }\n  checks:\n    erp-extract:\n      key: ${ERP_KEY}\n      cron: "0 5 * * 1-5"\n      timeZone: Europe/Stockholm\n      grace: 15m\n      feeds: { appNames: [Sales, Finance], taskNames: [Reload Sales] }\n    api-job:\n      key: ${API_KEY}\n      cron: "0 3 1 1 *"\n      grace: 1h\n`,
      { clock },
    );
    for (const k of ["checkin.missed", "checkin.failed", "checkin.running_long", "checkin.recovered"] as const)
      t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    await t.app.start();
    base = t.app.server!.url().replace(/\/$/, "");
  });

  afterAll(async () => {
    await t?.close();
  });

  const rows = async (sql: string, params: SqlValue[] = []) => t.app.sharedStore.sql.all<Record<string, unknown>>(sql, params);
  const judge = () => t.app.checkins!.service.judgeNow();
  const of = (check: string) => events.filter((e) => e.data.check === check).map((e) => e.kind);

  test("a job that does not check in by 05:00 + grace raises one checkin.missed naming what it feeds; a late ping ends it once", async () => {
    await judge();
    await clock.set(Date.parse("2026-11-23T04:14:00Z"));
    await judge();
    expect(of("erp-extract")).toEqual([]);
    await clock.set(Date.parse("2026-11-23T04:15:00Z"));
    await judge();
    await clock.advance(10 * 60_000);
    await judge();
    expect(of("erp-extract")).toEqual(["checkin.missed"]);
    const missed = events.find((e) => e.kind === "checkin.missed")!;
    expect(missed.title).toBe("Job did not check in: erp-extract");
    expect(missed.summary).toBe(
      'Job "erp-extract" was due at 2026-11-23 05:00 CET (cron 0 5 * * 1-5 (Europe/Stockholm)) and had not checked in 15 min later. It feeds app "Sales", app "Finance", task "Reload Sales".',
    );
    expect(missed.condition).toEqual({ type: "checkin_missed", key: "checkin_missed:erp-extract", openedAt: "2026-11-23T04:15:00.000Z" });

    const r = await fetch(`${base}/ping/${ERP_KEY}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("OK");
    await judge();
    await judge();
    expect(of("erp-extract")).toEqual(["checkin.missed", "checkin.recovered"]);
    expect(events.at(-1)!.data.resolution).toBe("checked in at 2026-11-23T04:25:00.000Z, 25 min after it was due");
  });

  test("/fail with a log raises checkin.failed carrying the log; exit code 0 ends it; GET /v4/checkins shows the state", async () => {
    await clock.advance(60_000);
    expect((await fetch(`${base}/ping/${ERP_KEY}/start`, { method: "POST" })).status).toBe(200);
    await clock.advance(60_000);
    expect((await fetch(`${base}/ping/${ERP_KEY}/2`, { method: "POST", body: "ORA-12541: TNS:no listener" })).status).toBe(200);
    await judge();
    const failed = events.filter((e) => e.kind === "checkin.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ exitCode: 2, log: "ORA-12541: TNS:no listener", failedAt: "2026-11-23T04:27:00.000Z" });
    await clock.advance(60_000);
    expect((await fetch(`${base}/ping/${ERP_KEY}/0`)).status).toBe(200);
    await judge();
    expect(of("erp-extract")).toEqual(["checkin.missed", "checkin.recovered", "checkin.failed", "checkin.recovered"]);

    const view = (await (await t.request("/v4/checkins?pings=3")).json()) as {
      checks: Array<{
        name: string;
        lastSuccessAt: string;
        lastFailAt: string;
        lastExitCode: number;
        nextDueAt: string;
        pings: Array<{ kind: string; log: string | null }>;
      }>;
    };
    const erp = view.checks.find((c) => c.name === "erp-extract")!;
    expect(erp).toMatchObject({
      lastSuccessAt: "2026-11-23T04:28:00.000Z",
      lastFailAt: "2026-11-23T04:27:00.000Z",
      lastExitCode: 0,
      nextDueAt: "2026-11-24T04:00:00.000Z",
    });
    expect(erp.pings.map((p) => [p.kind, p.log])).toEqual([
      ["success", null],
      ["fail", "ORA-12541: TNS:no listener"],
      ["start", null],
    ]);
  });

  test("an unknown key gets 404 and stores nothing; a signal that is not one gets 400 naming it", async () => {
    await clock.advance(2 * 60_000);
    const before = await rows("SELECT COUNT(*) AS n FROM checkin_pings");
    const r = await fetch(`${base}/ping/no-such-key-00000000000`, { method: "POST", body: "hello" });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ code: "NOT_FOUND", details: [{ field: "path.key", message: "unknown key" }] });
    expect(await rows("SELECT COUNT(*) AS n FROM checkin_pings")).toEqual(before);
    expect(await rows("SELECT name FROM checkin_state WHERE name NOT IN ('erp-extract', 'api-job')")).toEqual([]);
    const bad = await fetch(`${base}/ping/${API_KEY}/256`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("path.signal: an exit code is 0-255");
    expect((await fetch(`${base}/ping/${API_KEY}/restart`)).status).toBe(400);
  });

  test("a log past logMaxBytes is cut (the ping counts); a body past http.bodyLimitBytes is refused with 413 and not stored", async () => {
    await clock.advance(2 * 60_000);
    const long = `${"é".repeat(600)}\u0000end`;
    const r = await fetch(`${base}/ping/${API_KEY}/log`, { method: "POST", body: long });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-steward-log-truncated")).toBe("kept the first 1000 bytes");
    const [kept] = await rows("SELECT body, body_bytes, truncated FROM checkin_pings WHERE name = 'api-job' AND kind = 'log'");
    expect(kept!.body).toBe("é".repeat(500));
    expect(Number(kept!.body_bytes)).toBe(Buffer.byteLength(long));
    expect(Number(kept!.truncated)).toBe(1);
    // NUL cannot be stored in PostgreSQL text: it is replaced, the ping kept.
    expect((await fetch(`${base}/ping/${API_KEY}/log`, { method: "POST", body: "a\u0000b" })).status).toBe(200);
    expect((await rows("SELECT body FROM checkin_pings WHERE name = 'api-job' AND body LIKE 'a%b'"))[0]!.body).toBe("a\uFFFDb");

    const count = await rows("SELECT COUNT(*) AS n FROM checkin_pings");
    const huge = await fetch(`${base}/ping/${API_KEY}`, { method: "POST", body: "x".repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await rows("SELECT COUNT(*) AS n FROM checkin_pings")).toEqual(count);
  });

  test("a flood from one address: past the limit 429 with Retry-After, before the key is looked up, nothing stored; old pings pruned to keepPings", async () => {
    await clock.advance(2 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${base}/ping/${API_KEY}/log`, { method: "POST", body: `n${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    const limited = await fetch(`${base}/ping/unknown-key-000000000000`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe("RATE_LIMITED");
    const logs = await rows("SELECT body FROM checkin_pings WHERE name = 'api-job' ORDER BY at_ms, body");
    expect(logs.length).toBe(10);
    expect(logs.some((r) => r.body === "n7")).toBe(true);
    expect(logs.some((r) => r.body === "n8")).toBe(false);
    await clock.advance(61_000);
    expect((await fetch(`${base}/ping/${API_KEY}/log`)).status).toBe(200);
  });
});
