// The case end to end on the Qlik Sense simulator, Steward and the simulator on one virtual clock (300×):
// Sales dashboard is promised fresh by 07:00 (warn 06:30, Europe/Stockholm), its chain starts with the ERP extract
// that checks in at 05:00. The extract does not check in: one checkin.missed, one warning at 06:30 naming the job and
// the other app it feeds, one breach at 07:00; then the extract checks in and the simulator's reload succeeds (its
// datagram through the UDP intake, confirmed in QRS): one recovery.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";
import { IDS, intakeYaml, SITE_YAML } from "../intake/harness";

const KEY = "erp-extract-sim-key-0123456789";
const dir = createTempDir();
// Monday 2026-11-23, 04:20 in Stockholm (UTC+1): starting the simulator and Steward takes a few simulated minutes,
// and judging must begin before the 05:00 check-in is due.
const vt = virtualTime(Date.parse("2026-11-23T03:20:00Z"), 300);
let sim: Simulator;
let t: TestApp;
const events: WatchdogEvent[] = [];

beforeAll(async () => {
  sim = await startVirtualSimulator(dir.path, vt, SITE_YAML);
  const extra = `checkins:
  interval: 30s
  checks:
    erp-extract:
      key: ${KEY}
      cron: "0 5 * * 1-5"
      timeZone: Europe/Stockholm
      grace: 15m
      feeds: { appNames: [Sales dashboard, Finance] }
freshness:
  interval: 30s
  promises:
    sales-morning:
      appNames: [Sales dashboard]
      freshBy: "07:00"
      warnAt: "06:30"
      days: [mon, tue, wed, thu, fri]
      timeZone: Europe/Stockholm
`;
  t = createTestApp(intakeYaml(sim, {}, extra), { clock: vt.clock, dir: dir.path });
  for (const k of ["checkin.missed", "checkin.recovered", "app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const)
    t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

const kinds = () => events.map((e) => e.kind);
const local = (iso: string | undefined) => new Date(Date.parse(iso ?? "")).toISOString();

test("no check-in at 05:00: missed, one warning at 06:30, one breach at 07:00; the chain completes: one recovery", async () => {
  await waitFor(() => kinds().includes("app.freshness_breached"), { timeoutMs: 60_000, what: "the breach at 07:00" });
  expect(kinds()).toEqual(["checkin.missed", "app.freshness_warning", "app.freshness_breached"]);
  const [missed, warning, breach] = events;
  expect(missed!.condition.openedAt).toBe("2026-11-23T04:15:00.000Z");
  expect(warning!.condition.openedAt).toBe("2026-11-23T05:30:00.000Z");
  // Judged every 100 ms of real time (30 s of simulated time): within a minute of 06:30.
  expect(Date.parse(warning!.receivedAt) - Date.parse("2026-11-23T05:30:00Z")).toBeLessThan(60_000);
  expect(warning!.summary).toContain('job "erp-extract" has not checked in (due 2026-11-23T04:00:00.000Z)');
  expect(warning!.summary).toContain('The late job also feeds "Finance".');
  expect(warning!.app).toMatchObject({ id: IDS.app, name: "Sales dashboard" });
  expect(Date.parse(breach!.receivedAt) - Date.parse("2026-11-23T06:00:00Z")).toBeLessThan(60_000);
  expect(breach!.summary).toContain("was not fresh by 2026-11-23T06:00:00.000Z");

  // The extract runs late and checks in; then the reload of Sales dashboard runs in the simulator and succeeds.
  const base = t.app.server!.url().replace(/\/$/, "");
  expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "extract done" })).status).toBe(200);
  await waitFor(() => kinds().includes("checkin.recovered"), { timeoutMs: 20_000, what: "the check-in's recovery" });
  const run = sim.tasks.start(IDS.reload, { outcome: "succeed", durationMs: 3_000 });
  expect(run.started).toBe(true);
  await waitFor(() => kinds().includes("app.freshness_recovered"), { timeoutMs: 30_000, what: "the freshness recovery" });
  await Bun.sleep(1_000);
  expect(kinds()).toEqual(["checkin.missed", "app.freshness_warning", "app.freshness_breached", "checkin.recovered", "app.freshness_recovered"]);
  const recovered = events.at(-1)!;
  expect(recovered.summary).toContain('by "Reload Sales dashboard"');
  expect(Date.parse(local(recovered.data.dataAsOf as string))).toBeGreaterThan(Date.parse("2026-11-23T06:00:00Z"));
}, 120_000);
