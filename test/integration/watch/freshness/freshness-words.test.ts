// One vocabulary for a promised app's freshness (issue 68, item 7): four apps in the four states (fresh, at risk,
// late, not known yet) through a running Steward, and every surface read for its words: GET /v4/freshness and
// /v4/status, the dashboard's Freshness page and the overview's count, /status and the badges, the mails the route
// receives (their subjects and text), the MCP freshness tool with the official SDK's client, and the docs' tables.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createManualClock } from "../../../../src/platform/core/clock";
import { FRESHNESS_STATES, FRESHNESS_WORDS, type FreshnessState } from "../../../../src/watch/freshness/states";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const ROOT = resolve(import.meta.dir, "../../../..");
const at = (s: string) => Date.parse(s);
const APP: Record<FreshnessState, { id: string; name: string }> = {
  fresh: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c01", name: "Fresh app" },
  at_risk: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c02", name: "Risky app" },
  late: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c03", name: "Late app" },
  unknown: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c04", name: "Unseen app" },
};
const dir = createTempDir();
const clock = createManualClock(at("2026-11-23T05:00:00Z")); // a Monday
let t: TestApp;
let smtp: SmtpReceiver;
let base = "";

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = createTestApp(
    `http: { host: 127.0.0.1, port: 0 }
notify: { timeZone: UTC }
mcp: { enabled: true }
freshness:
  interval: 1h
  promises:
    p-fresh: { appIds: [${APP.fresh.id}], freshBy: "07:00" }
    p-risk: { appIds: [${APP.at_risk.id}], freshBy: "07:00", warnAt: "06:30" }
    p-late: { appIds: [${APP.late.id}], freshBy: "06:00" }
    p-unseen: { appIds: [${APP.unknown.id}], freshBy: "07:00" }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-mail] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
  const store = t.app.freshness!.store;
  const reload = (s: FreshnessState, iso: string, ok = true) =>
    store.recordReload({ appId: APP[s].id, appName: APP[s].name, stream: "Sales", tags: [], ok, atMs: at(iso), task: `Reload ${APP[s].name}` });
  await reload("fresh", "2026-11-23T05:30:00Z");
  await reload("at_risk", "2026-11-22T04:00:00Z");
  await reload("late", "2026-11-22T04:00:00Z");
  await reload("unknown", "2026-11-23T05:10:00Z", false);
  await t.app.freshness!.service.judgeNow();
  for (const iso of ["2026-11-23T06:00:00Z", "2026-11-23T06:40:00Z"]) {
    await clock.set(at(iso));
    await t.app.freshness!.service.judgeNow();
  }
  await waitFor(() => smtp.mails.length >= 2, { what: "the at-risk and the late mail" });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.stop();
  dir.remove();
});

const get = async (path: string) => {
  const r = await fetch(`${base}${path}`);
  expect([path, r.status]).toEqual([path, 200]);
  return r;
};
const stateOfRow = (html: string, id: string) => new RegExp(`<tr data-app="${id}" data-state="([a-z_]+)"`).exec(html)?.[1];

test("the API: /v4/freshness and /v4/status give each app its state's value", async () => {
  const rows = ((await (await get("/v4/freshness")).json()) as { rows: Array<{ app: { id: string }; state: string }> }).rows;
  for (const s of FRESHNESS_STATES) {
    expect([s, rows.find((r) => r.app.id === APP[s].id)?.state]).toEqual([s, s]);
    const status = (await (await get(`/v4/status/apps/${APP[s].id}`)).json()) as { state: string; message: string };
    expect([s, status.state]).toEqual([s, s]);
  }
  // Late first, then at risk, not known yet, fresh.
  expect(rows.map((r) => r.state)).toEqual(["late", "at_risk", "unknown", "fresh"]);
});

test("the dashboard's Freshness page and the overview, /status and the badges say each state in its words", async () => {
  const page = await (await get("/ui/freshness")).text();
  const statusPage = await (await get("/status")).text();
  for (const s of FRESHNESS_STATES) {
    expect([s, stateOfRow(page, APP[s].id)]).toEqual([s, s]);
    const row = page.slice(page.indexOf(`<tr data-app="${APP[s].id}"`));
    expect([s, /<span class="badge s-\w+">([^<]+)<\/span>/.exec(row)?.[1]]).toEqual([s, FRESHNESS_WORDS[s]]);
    expect([s, stateOfRow(statusPage, APP[s].id)]).toEqual([s, s]);
    const statusRow = statusPage.slice(statusPage.indexOf(`<tr data-app="${APP[s].id}"`));
    expect([s, /<span style="[^"]*">([^<]+)<\/span>/.exec(statusRow)?.[1]]).toEqual([s, FRESHNESS_WORDS[s]]);
    const badge = await (await get(`/v4/status/apps/${APP[s].id}/badge.svg`)).text();
    expect([s, /data-state="([a-z_]+)">([^ <·]+(?: [a-z]+)*)/.exec(badge)?.slice(1)]).toEqual([s, [s, FRESHNESS_WORDS[s]]]);
  }
  expect(page).toContain("2 of 4 late or at risk");
  const overview = await (await get("/ui")).text();
  expect(overview).toContain("of 4 promised apps late or at risk");
});

test("the mails: at risk, late and fresh again in their subjects", async () => {
  await t.app.freshness!.store.recordReload({
    appId: APP.late.id,
    appName: APP.late.name,
    stream: "Sales",
    tags: [],
    ok: true,
    atMs: at("2026-11-23T06:45:00Z"),
    task: "Reload Late app",
  });
  await clock.set(at("2026-11-23T06:50:00Z"));
  await t.app.freshness!.service.judgeNow();
  await waitFor(() => smtp.mails.length >= 3, { what: "the fresh-again mail" });
  const subjects = smtp.mails.map((m) => m.mail.subject ?? "").sort();
  expect(subjects).toEqual([
    "[Qlik Sense] At risk: Risky app is not fresh yet (due 2026-11-23 07:00 UTC)",
    "[Qlik Sense] Fresh again: Late app",
    "[Qlik Sense] Late: Late app was not fresh by 2026-11-23 06:00 UTC",
  ]);
  // Words of another vocabulary appear in no mail's text (the signature's event id keeps the condition's type).
  for (const m of smtp.mails) expect(String(m.mail.text).split("\n-- \n")[0]).not.toMatch(/breached|broken|Getting old|Not fresh yet:|warning/);
});

test("MCP's freshness tool answers in the same states, and onlyLate keeps the late and at-risk apps", async () => {
  const client = new Client({ name: "steward-words-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  try {
    const all = (await client.callTool({ name: "freshness", arguments: {} })) as {
      structuredContent?: { rows: Array<{ app: { id: string }; state: string }> };
    };
    const late = (await client.callTool({ name: "freshness", arguments: { onlyLate: true } })) as { structuredContent?: { rows: Array<{ state: string }> } };
    const tools = await client.listTools();
    expect(all.structuredContent!.rows.map((r) => r.state).sort()).toEqual(["at_risk", "fresh", "fresh", "unknown"]);
    expect(late.structuredContent!.rows.map((r) => r.state)).toEqual(["at_risk"]);
    const described = tools.tools.find((x) => x.name === "freshness")!.description!;
    for (const s of FRESHNESS_STATES) expect(described).toContain(`${s}:`);
  } finally {
    await client.close();
  }
});

test("the docs' tables name the same four states with the same words", () => {
  for (const page of ["docs/freshness.md", "docs/status.md"]) {
    const text = readFileSync(join(ROOT, page), "utf8");
    for (const s of FRESHNESS_STATES) expect([page, text.includes(`| \`${s}\` | ${FRESHNESS_WORDS[s]} |`)]).toEqual([page, true]);
    expect(text).not.toMatch(/\b(breached|warning), (breached|warning)\b|ok, warning/);
  }
});
