// The business-facing status through a running Steward: the JSON and the SVG badge of an app and of its stream change
// with the app's freshness (fresh → at risk at the warning → late, a load failed, at the deadline → fresh again with
// the new "data as of"); a key with only the status scope reads them and nothing else; no key reads nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const STATUS_KEY = "status-key-for-the-extension-0001";
const ADMIN_KEY = "admin-key-for-the-qlik-admins-0001";
const at = (s: string) => Date.parse(s);
const clock = createManualClock(at("2026-11-23T05:00:00Z"));
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = createTestApp(
    `http:\n  port: 0\n  host: 127.0.0.1\nsecurity:\n  apiKeys:\n    - { name: sales-extension, hash: "sha256:${sha256Hex(STATUS_KEY)}", scopes: [status] }\n    - { name: admins, hash: "sha256:${sha256Hex(ADMIN_KEY)}", scopes: [admin] }\n  queryKey:\n    enabled: true\n    routes: ["GET /v4/status/apps/:appId/badge.svg", "GET /status"]\nnotify:\n  timeZone: UTC\ncheckins:\n  checks: {}\nfreshness:\n  interval: 1h\n  promises:\n    sales-morning:\n      appIds: [${SALES}]\n      freshBy: "07:00"\n      warnAt: "06:30"\n`,
    { clock },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
});

afterAll(async () => {
  await t?.close();
});

const get = (path: string, key?: string) => fetch(`${base}${path}`, key ? { headers: { "X-API-Key": key } } : {});
const status = async () =>
  (await (await get(`/v4/status/apps/${SALES}`, STATUS_KEY)).json()) as { state: string; dataAsOf: string | null; promisedBy: string | null; message: string };
const badge = async () => {
  const r = await get(`/v4/status/apps/${SALES}/badge.svg`, STATUS_KEY);
  expect(r.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
  return /data-state="([a-z_]+)">([^<]*)</.exec(await r.text())!.slice(1);
};
const judgeAt = async (iso: string) => {
  await clock.set(at(iso));
  await t.app.freshness!.service.judgeNow();
};
const reload = (iso: string, ok: boolean) =>
  t.app.freshness!.store.recordReload({
    appId: SALES,
    appName: "Sales dashboard",
    stream: "Sales",
    tags: [],
    ok,
    atMs: at(iso),
    task: "Reload Sales dashboard",
  });

test("the app's JSON and badge, and its stream's, follow its freshness: fresh, at risk, late with a failed load, fresh again", async () => {
  await reload("2026-11-22T06:10:00Z", true);
  await judgeAt("2026-11-23T05:00:00Z");
  expect(await status()).toMatchObject({ state: "fresh", dataAsOf: "2026-11-22T06:10:00.000Z" });
  expect(await badge()).toEqual(["fresh", "fresh · data as of Sun 22 Nov 06:10 UTC"]);

  await judgeAt("2026-11-23T06:30:00Z");
  expect(await status()).toMatchObject({ state: "at_risk", loadFailed: false, promisedBy: "2026-11-23T07:00:00.000Z" });
  expect(await badge()).toEqual(["at_risk", "at risk · data as of Sun 22 Nov 06:10 UTC"]);

  await reload("2026-11-23T06:40:00Z", false);
  await judgeAt("2026-11-23T07:00:00Z");
  expect(await status()).toMatchObject({ state: "late", loadFailed: true });
  expect((await status()).message).toBe("Sales dashboard is late (promised by 07:00 UTC): its last load failed; when it will be fresh is not known yet.");
  expect(await badge()).toEqual(["late", "late · data as of Sun 22 Nov 06:10 UTC"]);
  const stream = (await (await get("/v4/status/streams/Sales", STATUS_KEY)).json()) as { state: string; apps: Array<{ app: { id: string } }> };
  expect(stream.state).toBe("late");
  expect(stream.apps.map((a) => a.app.id)).toEqual([SALES]);

  await reload("2026-11-23T07:12:00Z", true);
  await judgeAt("2026-11-23T07:13:00Z");
  expect(await status()).toMatchObject({ state: "fresh", dataAsOf: "2026-11-23T07:12:00.000Z" });
  expect(await badge()).toEqual(["fresh", "fresh · data as of 07:12 UTC"]);
  // The page for users, with the key in the query string (allowed for it in security.queryKey.routes).
  const page = await (await fetch(`${base}/status?apiKey=${STATUS_KEY}`)).text();
  expect(page).toContain("<h2>Sales</h2>");
  expect(page).toContain(`<tr data-app="${SALES}" data-state="fresh"><td>Sales dashboard</td>`);
  expect(page).toContain('<td><time datetime="2026-11-23T07:12:00.000Z">07:12</time></td>');
  const streamBadge = await (await get("/v4/status/streams/Sales/badge.svg", STATUS_KEY)).text();
  expect(streamBadge).toContain('data-state="fresh">fresh · data as of 07:12 UTC<');
});

test("a status key reads the status and nothing else; no key reads nothing; an unknown app is 404", async () => {
  for (const path of ["/v4/checkins", "/v4/watchdog", "/v4/schedules", "/v4/audit"]) {
    const r = await get(path, STATUS_KEY);
    expect([path, r.status]).toEqual([path, 403]);
  }
  expect((await get(`/v4/status/apps/${SALES}`)).status).toBe(401);
  expect((await get("/status")).status).toBe(401);
  expect((await get(`/v4/status/apps/${SALES}`, ADMIN_KEY)).status).toBe(200);
  const unknown = await get("/v4/status/apps/11111111-2222-3333-4444-555555555555", STATUS_KEY);
  expect(unknown.status).toBe(404);
  expect(((await unknown.json()) as { code: string }).code).toBe("NOT_FOUND");
  // An <img> tag cannot send headers: the badge takes the key in the query string when allowed; the JSON does not.
  expect((await fetch(`${base}/v4/status/apps/${SALES}/badge.svg?apiKey=${STATUS_KEY}`)).status).toBe(200);
  expect((await fetch(`${base}/v4/status/apps/${SALES}?apiKey=${STATUS_KEY}`)).status).toBe(401);
  const bad = await get("/v4/status/apps/not-a-guid", STATUS_KEY);
  expect(bad.status).toBe(400);
});
