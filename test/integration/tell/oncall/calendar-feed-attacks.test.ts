// Issue 104: a security review, by attack, of the personal calendar feed (GET /v4/oncall/feeds/<token>.ics), whose
// URL's token is the credential. Each test is one attack: guessing (the token's entropy, a bounded rate of wrong
// tokens per client), a stolen store (only the token's hash is kept; the hash opens nothing), telling revoked from
// unknown feeds apart (the same 404, headers and all), reading a token from the logs or the audit, and a copy of the
// calendar left in a shared cache or leaked in a Referer header.
import { afterAll, describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { feedTokenHash } from "../../../../src/tell/oncall/feed-store";
import { FEED_MISSES_PER_CLIENT } from "../../../../src/tell/oncall/feed-guard";
import { createTestApp, type TestApp } from "../../../helpers/app";

const ADMIN = "oncall-feed-attack-admin-key-7c2e9a4b1d";
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

const YAML = `http: { port: 0, publicUrl: "https://steward.corp.example/" }
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

function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { log: pino({ level: "debug" }, stream), lines };
}

async function setUp(log?: ReturnType<typeof capturedLog>["log"]) {
  const clock = createManualClock(Date.parse("2026-11-25T12:00:00Z"));
  const t = createTestApp(YAML, { clock, ...(log ? { log } : {}) });
  apps.push(t);
  /** A request from the network, from `ip` (the calendar program's address). */
  const from = (ip: string, path: string, init: RequestInit = {}) => Promise.resolve(t.app.http.hono.request(path, init, { remoteAddress: ip }));
  const make = async (person = "anna@corp.example") => {
    const r = await from("10.0.0.2", "/v4/oncall/feeds", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ADMIN },
      body: JSON.stringify({ person }),
    });
    expect(r.status).toBe(201);
    const feed = (await r.json()) as { id: number; url: string };
    const path = new URL(feed.url).pathname;
    return { id: feed.id, path, token: path.slice("/v4/oncall/feeds/".length, -".ics".length) };
  };
  return { t, clock, from, make };
}

describe("the calendar feed's URL as a credential", () => {
  test("guessing: 256 random bits a token, none alike", async () => {
    const { make } = await setUp();
    const tokens = [await make(), await make(), await make("bo@corp.example")].map((f) => f.token);
    for (const token of tokens) expect(Buffer.from(token, "base64url").length).toBe(32);
    expect(new Set(tokens).size).toBe(3);
  });

  test("a stolen store: it holds the token's hash only, and the hash opens nothing", async () => {
    const { t, from, make } = await setUp();
    const feed = await make();
    const rows = await t.app.sharedStore.sql.all<Record<string, unknown>>("SELECT * FROM oncall_feeds");
    expect(JSON.stringify(rows)).not.toContain(feed.token);
    expect(rows.map((r) => r.token_hash)).toEqual([feedTokenHash(feed.token)]);
    expect((await from("10.0.0.7", `/v4/oncall/feeds/${feedTokenHash(feed.token)}.ics`)).status).toBe(404);
    expect((await from("10.0.0.7", feed.path)).status).toBe(200);
  });

  test("revoked, unknown, malformed and near-miss tokens answer one 404, body and headers alike", async () => {
    const { from, make } = await setUp();
    const revoked = await make();
    const live = await make();
    expect((await from("10.0.0.2", `/v4/oncall/feeds/${revoked.id}`, { method: "DELETE", headers: { "x-api-key": ADMIN } })).status).toBe(200);
    const flip = (s: string) => (s.endsWith("A") ? `${s.slice(0, -1)}B` : `${s.slice(0, -1)}A`);
    const answers = await Promise.all(
      [
        revoked.path,
        `/v4/oncall/feeds/${"x".repeat(43)}.ics`,
        `/v4/oncall/feeds/${flip(live.token)}.ics`,
        `/v4/oncall/feeds/${live.token.toUpperCase()}.ics`,
        `/v4/oncall/feeds/${live.token}`,
        `/v4/oncall/feeds/${live.token}.ICS`,
      ].map((p, i) => from(`10.0.1.${i + 1}`, p)),
    );
    const seen = await Promise.all(
      answers.map(async (r) => ({
        status: r.status,
        body: await r.text(),
        cache: r.headers.get("cache-control"),
        referrer: r.headers.get("referrer-policy"),
        type: r.headers.get("content-type"),
      })),
    );
    for (const s of seen) expect(s).toEqual(seen[0]!);
    expect(seen[0]).toMatchObject({ status: 404, cache: "private, no-store", referrer: "no-referrer" });
  });

  test("a shared cache or a Referer: the calendar is private, never stored, and sends no Referer onwards", async () => {
    const { from, make } = await setUp();
    const feed = await make();
    const r = await from("10.0.0.7", feed.path);
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("private, no-store");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("the logs and the audit never show a token, whether the feed is fetched, unknown, revoked or refused", async () => {
    const { log, lines } = capturedLog();
    const { t, from, make } = await setUp(log);
    const feed = await make();
    expect((await from("10.0.0.7", feed.path)).status).toBe(200);
    const wrong = `${"Q".repeat(43)}`;
    for (let i = 0; i <= FEED_MISSES_PER_CLIENT; i++) await from("10.0.0.8", `/v4/oncall/feeds/${wrong}.ics`);
    expect((await from("10.0.0.2", `/v4/oncall/feeds/${feed.id}`, { method: "DELETE", headers: { "x-api-key": ADMIN } })).status).toBe(200);
    expect((await from("10.0.0.7", feed.path)).status).toBe(404);
    await t.app.audit.flush();
    const audit = await (await from("10.0.0.2", "/v4/audit?limit=500", { headers: { "x-api-key": ADMIN } })).text();
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [lines.join("\n"), audit]) {
      expect(text).not.toContain(feed.token);
      expect(text).not.toContain(wrong);
    }
  });

  test("guessing at speed: past the wrong tokens a client may try, it waits (429, Retry-After), even with the right one; others are served", async () => {
    const { clock, from, make } = await setUp();
    const feed = await make();
    for (let i = 0; i < FEED_MISSES_PER_CLIENT; i++) expect((await from("10.0.0.66", `/v4/oncall/feeds/guess${i}${"z".repeat(38)}.ics`)).status).toBe(404);
    const stopped = await from("10.0.0.66", `/v4/oncall/feeds/guess-next${"z".repeat(33)}.ics`);
    expect(stopped.status).toBe(429);
    expect(Number(stopped.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(stopped.headers.get("cache-control")).toBe("private, no-store");
    // Even the right token waits: a guesser must not learn a hit from the answer while held back.
    expect((await from("10.0.0.66", feed.path)).status).toBe(429);
    // Another client is unaffected, and a calendar's right tokens are never counted (they cost no budget).
    expect((await from("10.0.0.67", feed.path)).status).toBe(200);
    await clock.advance(Number(stopped.headers.get("retry-after")) * 1000);
    expect((await from("10.0.0.66", feed.path)).status).toBe(200);
  });
});
