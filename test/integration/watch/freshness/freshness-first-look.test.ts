// Issue 68, item 5: no false alarm at start. A "never older than" promise whose app Steward has not seen reload yet
// (QRS's last reload time, read at start, is days old) is learning, not broken: its data's age counts from when
// Steward began watching, so the first look raises nothing, and only a whole maxAge of watching without a reload is a
// breach. A reload seen in that time keeps it quiet. Time on a manual clock.
import { afterAll, expect, test } from "bun:test";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { createFreshnessStore, freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { createFreshnessService } from "../../../../src/watch/freshness/service";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(async () => {
  await backend.shutdown();
});

const at = (s: string) => Date.parse(s);
const APPS = { c360: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c21", sales: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c22" };
// The demo's two promises (config/demo.yaml).
const YAML = `freshness:
  promises:
    customer-360-live: { appNames: [Customer 360], maxAge: 45s, warnAfter: 30s }
    sales-live: { appNames: [Sales dashboard], maxAge: 30m }
`;

test("the first minute: no breach for data older than the watch; a whole maxAge without a reload is one", async () => {
  const cfg = parseConfigText(YAML, "steward.yaml", ".").config.freshness!;
  const db = await backend.open([checkinMigrations, freshnessMigrations]);
  const store = createFreshnessStore(db);
  const clock = createManualClock(at("2026-11-25T14:29:00Z"));
  const events: WatchdogEvent[] = [];
  const judge = createFreshnessService({
    promises: Object.entries(cfg.promises).map(([name, p]) => compilePromise(name, p)),
    upstreams: [],
    feeds: new Map(),
    store,
    checkins: createCheckinStore(db),
    intervalMs: 5_000,
    clock,
    log: createSilentLogger(),
    metrics: createMetricsRegistry(),
    host: "demo",
    emit: async (e) => void events.push(e),
  });
  // What QRS says at start: both apps last reloaded days ago (the simulator's site file).
  await store.seedApp({ appId: APPS.c360, appName: "Customer 360", tags: [], lastReloadMs: at("2026-11-22T03:00:00Z") });
  await store.seedApp({ appId: APPS.sales, appName: "Sales dashboard", tags: [], lastReloadMs: at("2026-11-22T03:00:00Z") });
  const seen = () => events.map((e) => `${e.kind} ${String(e.data.promise ?? "")}@${e.receivedAt}`);
  const step = async (iso: string) => {
    await clock.set(at(iso));
    await judge.judgeNow();
  };

  await step("2026-11-25T14:29:00Z"); // the first look: Steward begins watching
  await step("2026-11-25T14:29:05Z");
  await step("2026-11-25T14:29:25Z");
  expect(seen()).toEqual([]);
  // Sales dashboard reloads; Customer 360 does not: at risk after 30 s of watching, broken after 45 s.
  await store.recordReload({ appId: APPS.sales, appName: "Sales dashboard", tags: [], ok: true, atMs: at("2026-11-25T14:29:26Z"), task: "Reload Sales" });
  await step("2026-11-25T14:29:30Z");
  expect(seen()).toEqual(["app.freshness_warning customer-360-live@2026-11-25T14:29:30.000Z"]);
  await step("2026-11-25T14:29:44Z");
  expect(events.filter((e) => e.kind === "app.freshness_breached")).toEqual([]);
  await step("2026-11-25T14:29:45Z");
  expect(seen()).toEqual([
    "app.freshness_warning customer-360-live@2026-11-25T14:29:30.000Z",
    "app.freshness_breached customer-360-live@2026-11-25T14:29:45.000Z",
  ]);
  // Sales dashboard's promise of 30 min is quiet for all of its first half hour.
  await step("2026-11-25T14:58:59Z");
  expect(events.some((e) => e.data.promise === "sales-live")).toBe(false);
});
