// Issue 88, point 3: "fresh again" only from a reload that started after the data the promise waits for arrived. The
// chain site (test/helpers/freshness-chain-site.ts) on a stepped clock, SQLite: Thursday the ERP extract does not
// check in at 05:00 (Stockholm); the Qlik chain runs on yesterday's data; someone reloads Sales dashboard by hand at
// 06:32, and the job checks in late at 06:35 while that reload runs. It ends at 06:42 having read the old data: it must
// not close the warning, nor be named as making Sales fresh. The chain started again from its head at 06:36 makes Sales
// fresh at about 07:36: the breach at 07:00 stands, and "fresh again" names that reload.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_KEY as KEY, CHAIN_SITE as SITE, chainStewardYaml, EXTRACT, SALES_RELOAD } from "../../../helpers/freshness-chain-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";

const at = (s: string) => Date.parse(s);
const KINDS = ["checkin.missed", "checkin.recovered", "app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
afterAll(async () => {
  await t?.close();
  await site?.sim.stop();
  dir.remove();
});

test("a reload that started before the late check-in does not make the app fresh again", async () => {
  // A day of the chain before Steward starts, for the usual durations.
  site = await startSteppedSite(dir.path, at("2026-11-18T00:00:00Z"), SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-19T03:00:00Z"));
  t = createTestApp(chainStewardYaml(site, { timeZone: "Europe/Stockholm" }), { clock, dir: join(dir.path, "steward") });
  const events: WatchdogEvent[] = [];
  for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const base = t.app.server!.url().replace(/\/$/, "");

  // Thursday, no check-in by 05:00 CET (04:00Z): the chain runs 05:10–06:10 CET on yesterday's extract.
  await clock.runUntil(at("2026-11-19T05:32:00Z"));
  expect(events.map((e) => e.kind)).toEqual(["checkin.missed", "app.freshness_warning"]);
  // A reload by hand at 06:32 CET; the job checks in at 06:35 CET while it runs.
  expect(sim.tasks.start(SALES_RELOAD).started).toBe(true);
  await clock.runUntil(at("2026-11-19T05:35:00Z"));
  expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  await clock.runUntil(at("2026-11-19T05:36:00Z"));
  expect(sim.tasks.start(EXTRACT).started).toBe(true);
  // The hand reload ended at 06:42 CET; it read the old data: Sales is still late, and breached at 07:00 CET.
  await clock.runUntil(at("2026-11-19T06:05:00Z"));
  const handReload = site.finished.find((r) => r.task === "Reload Sales dashboard" && r.startMs >= at("2026-11-19T05:32:00Z"));
  expect(handReload?.stopMs).toBeLessThan(at("2026-11-19T05:45:00Z"));
  expect(events.map((e) => e.kind)).toEqual(["checkin.missed", "app.freshness_warning", "checkin.recovered", "app.freshness_breached"]);
  expect(events.at(-1)!.summary).toContain(
    'its last reload "Reload Sales dashboard" started at 2026-11-19 06:32 CET, before "erp-extract" checked in at 2026-11-19 06:35 CET: it read the old data',
  );
  // The chain started again makes it fresh: the reload that started after the check-in is the one named.
  await clock.runUntil(at("2026-11-19T07:00:00Z"));
  expect(events.map((e) => e.kind)).toEqual([
    "checkin.missed",
    "app.freshness_warning",
    "checkin.recovered",
    "app.freshness_breached",
    "app.freshness_recovered",
  ]);
  const chainReload = site.finished.find((r) => r.task === "Reload Sales dashboard" && r.startMs >= at("2026-11-19T05:36:00Z"));
  expect(chainReload).toBeDefined();
  const recovered = events.at(-1)!;
  expect(Date.parse(recovered.receivedAt)).toBeGreaterThanOrEqual(chainReload!.stopMs);
  expect(recovered.summary).toContain("reloaded successfully at 2026-11-19 07:3");
  expect(recovered.summary).not.toContain("06:42");
}, 300_000);
