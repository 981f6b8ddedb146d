// The dashboard in a real browser: Playwright (playwright-core) drives Debian's Chromium against a running
// Steward; toggles and bulk actions on schedules and a delivery retry are checked through the REST API.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "./chromium";

const SHOTS = resolve(import.meta.dir, "../../../../test-output");
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const TIMEOUT = 60_000;

let t: TestApp;
let base: string;
let browser: TestBrowser | undefined;
let page: Page;
let receiverStatus = 500;
const receiver = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("receiver", { status: receiverStatus }) });
const ids: Record<string, string> = {};

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const scheduleState = async (id: string) => (await api<Array<{ lastKnownState: string }>>(`/v4/schedules?id=${id}`))[0]!.lastKnownState;

beforeAll(async () => {
  t = createTestApp(
    ["channels:", "  hook:", "    type: webhook", `    url: http://127.0.0.1:${receiver.port}/hook`, "notify:", "  outbox: { maxAttempts: 1 }"].join("\n"),
  );
  await t.app.start();
  base = t.app.server!.url();
  for (const [name, tags] of [
    ["Nightly sales", ["sales"]],
    ["Finance close", ["finance"]],
    ["Finance ledger", ["finance"]],
  ] as const) {
    const s = await api<{ id: string }>("/v4/schedules", {
      method: "POST",
      body: JSON.stringify({ name, cronSchedule: "0 2 * * *", qlikSenseTaskId: TASK, tags }),
    });
    ids[name] = s.id;
  }
  await api("/v4/keyvalues/etl", { method: "POST", body: JSON.stringify({ key: "lastLoad", value: "2025-11-03T06:00:00Z" }) });
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = browser.page;
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await receiver.stop(true);
});

test(
  "the overview shows component health",
  async () => {
    const res = await page.goto(`${base}/ui`);
    expect(res?.status()).toBe(200);
    await expect(page.locator("#health tr[data-component=store]").textContent()).resolves.toContain("up");
    expect(await page.title()).toBe("Overview · Steward");
    await page.screenshot({ path: join(SHOTS, "dashboard-overview.png"), fullPage: true });
  },
  TIMEOUT,
);

test(
  "toggling a schedule's switch disables it, as the API confirms",
  async () => {
    await page.goto(`${base}/ui/schedules`);
    const id = ids["Nightly sales"]!;
    expect(await scheduleState(id)).toBe("started");
    await page.locator(`tr[data-schedule="${id}"] label.switch`).click();
    await waitFor(async () => (await scheduleState(id)) === "stopped", { what: "schedule stopped via the UI", timeoutMs: 10_000 });
    // The page re-reads itself after the action.
    await page.waitForSelector(`tr[data-schedule="${id}"][data-state="stopped"]`);
    await page.locator(`tr[data-schedule="${id}"] label.switch`).click();
    await waitFor(async () => (await scheduleState(id)) === "started", { what: "schedule started again via the UI", timeoutMs: 10_000 });
  },
  TIMEOUT,
);

test(
  "bulk actions: disable by tag, enable a selection",
  async () => {
    await page.goto(`${base}/ui/schedules`);
    await page.selectOption("#bulk-tag", "finance");
    await page.click("button[data-action=tag-stop]");
    await waitFor(async () => (await scheduleState(ids["Finance close"]!)) === "stopped" && (await scheduleState(ids["Finance ledger"]!)) === "stopped", {
      what: "finance schedules stopped",
      timeoutMs: 10_000,
    });
    expect(await scheduleState(ids["Nightly sales"]!)).toBe("started");
    await page.waitForSelector(`tr[data-schedule="${ids["Finance close"]}"][data-state="stopped"]`);

    await page.check(`input[name=sel][value="${ids["Finance close"]}"]`);
    await page.check(`input[name=sel][value="${ids["Finance ledger"]}"]`);
    await page.click("button[data-action=bulk-start]");
    await waitFor(async () => (await scheduleState(ids["Finance close"]!)) === "started" && (await scheduleState(ids["Finance ledger"]!)) === "started", {
      what: "selected schedules started",
      timeoutMs: 10_000,
    });
    await page.waitForSelector(`tr[data-schedule="${ids["Finance ledger"]}"][data-state="started"]`);
    await page.screenshot({ path: join(SHOTS, "dashboard-schedules.png"), fullPage: true });
  },
  TIMEOUT,
);

test(
  "a dead-lettered delivery is retried from the deliveries page",
  async () => {
    const sent = await api<{ deliveries: Array<{ id: number }> }>("/v4/alerts/test?channel=hook", { method: "POST", body: "{}" });
    const id = sent.deliveries[0]!.id;
    await waitFor(async () => (await api<{ status: string }>(`/v4/deliveries/${id}`)).status === "dead", { what: "delivery dead-lettered", timeoutMs: 15_000 });
    await page.goto(`${base}/ui/deliveries?status=dead`);
    const row = page.locator(`tr[data-delivery="${id}"]`);
    await expect(row.getAttribute("data-status")).resolves.toBe("dead");
    // The event is named as people name it (the task), its id on hover.
    const listed = await api<{ deliveries: Array<{ id: number; eventId: string; eventTitle: string | null }> }>("/v4/deliveries?limit=5");
    const view = listed.deliveries.find((d) => d.id === id)!;
    expect(view.eventTitle).toBeTruthy();
    expect(view.eventTitle).not.toBe(view.eventId);
    expect(await row.locator("[data-role=event-title]").textContent()).toBe(view.eventTitle!);
    expect(await row.locator("[data-role=event-title]").getAttribute("title")).toBe(view.eventId);
    receiverStatus = 200;
    await row.locator("button[data-action=retry]").click();
    await waitFor(async () => (await api<{ status: string }>(`/v4/deliveries/${id}`)).status === "delivered", {
      what: "delivery delivered after retry",
      timeoutMs: 15_000,
    });
    await page.goto(`${base}/ui/deliveries`);
    await expect(page.locator(`tr[data-delivery="${id}"]`).getAttribute("data-status")).resolves.toBe("delivered");
    await page.screenshot({ path: join(SHOTS, "dashboard-deliveries.png"), fullPage: true });
  },
  TIMEOUT,
);

test(
  "the key-value browser and the audit log",
  async () => {
    await page.goto(`${base}/ui/kv`);
    await page.click("#kv-namespaces >> text=etl");
    await page.click("#kv-keys >> text=lastLoad");
    await expect(page.locator("#kv-value pre").textContent()).resolves.toBe("2025-11-03T06:00:00Z");
    await page.goto(`${base}/ui/audit`);
    const text = (await page.locator("#audit").textContent()) ?? "";
    expect(text).toContain("schedule.");
    expect(text).toContain("kv.set");
    await page.screenshot({ path: join(SHOTS, "dashboard-audit.png"), fullPage: true });
  },
  TIMEOUT,
);
