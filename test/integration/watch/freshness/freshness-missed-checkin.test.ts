// Issue 102: a missed check-in's promise is not made fresh by a reload that ran before the check-in. On the simulator
// with a stepped clock, SQLite: Sales dashboard reloads at 05:10 (UTC) on its own schedule, from the data the ERP job
// delivers by 05:00 (its check-in); it is promised fresh by 07:00. Thursday the job never checks in: late at 07:00;
// someone reloads the dashboard by hand at 09:00, still on Wednesday's data. Friday the job checks in at 05:02: the
// hand reload of Thursday came before that check-in and is not the data; Sales is fresh again only once its 05:10
// reload, after the check-in, ends, and "fresh again" cites that reload.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";

const at = (s: string) => Date.parse(s);
const MIN = 60_000;
const SALES_APP = "2e4a3cd6-2b5e-4d3a-9f2c-8b4f9f5c1e31";
const SALES_RELOAD = "8d3a1b2f-4c5e-4f6a-9b0c-2d3e4f5a6b03";
const KEY = "erp-delivery-missed-checkin-key-0123";
const KINDS = ["checkin.missed", "checkin.recovered", "app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;

const SITE = `
site: { name: Check-in site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
streams:
  - { name: Sales }
apps:
  - { id: ${SALES_APP}, name: Sales dashboard, owner: CORP\\anna, stream: Sales }
tasks:
  - id: ${SALES_RELOAD}
    name: Reload Sales dashboard
    type: reload
    app: Sales dashboard
    durationMs: ${10 * MIN}
    triggers:
      - { type: schema, name: Daily 05:10, incrementOption: daily, startDate: "2026-11-01T05:10:00.000", timeZone: UTC }
`;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
afterAll(async () => {
  await t?.close();
  await site?.sim.stop();
  dir.remove();
});

test("a reload before the late check-in does not end a missed check-in's breach; the reload after it does, and is cited", async () => {
  site = await startSteppedSite(dir.path, at("2026-11-16T00:00:00Z"), SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-18T03:00:00Z"));
  t = createTestApp(
    `qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 5000
  retries: 1
intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
notify: { timeZone: UTC }
checkins:
  interval: 2m
  checks:
    erp-delivery:
      key: ${KEY}
      cron: "0 5 * * *"
      timeZone: UTC
      grace: 15m
      feeds: { appNames: [Sales dashboard] }
freshness:
  interval: 2m
  promises:
    sales-morning: { appNames: [Sales dashboard], freshBy: "07:00", warnAt: "06:30", timeZone: UTC }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  const events: WatchdogEvent[] = [];
  for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const base = t.app.server!.url().replace(/\/$/, "");
  const ping = async () => expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "delivered" })).status).toBe(200);
  const state = async () => ((await (await fetch(`${base}/v4/status/apps/${SALES_APP}`)).json()) as { state: string }).state;
  const kinds = () => events.map((e) => `${e.kind}@${e.receivedAt.slice(0, 16)}`);

  // Wednesday: delivered at 05:02, reloaded 05:10–05:20: kept, nothing said.
  await clock.runUntil(at("2026-11-18T05:02:00Z"));
  await ping();
  await clock.runUntil(at("2026-11-19T04:00:00Z"));
  expect(events).toEqual([]);

  // Thursday: no delivery. The 05:10 reload reads Wednesday's data; late at 07:00.
  await clock.runUntil(at("2026-11-19T07:10:00Z"));
  expect(kinds().filter((k) => k.startsWith("app.freshness_breached"))).toEqual(["app.freshness_breached@2026-11-19T07:00"]);
  // 09:00: someone reloads it by hand, still on Wednesday's data.
  expect(sim.tasks.start(SALES_RELOAD).started).toBe(true);
  await clock.runUntil(at("2026-11-20T05:00:00Z"));
  expect(events.map((e) => e.kind)).not.toContain("app.freshness_recovered");
  expect(await state()).toBe("late");

  // Friday: the job checks in at 05:02. Thursday's hand reload came before it: still late until 05:10's reload ends.
  await clock.runUntil(at("2026-11-20T05:02:00Z"));
  await ping();
  await clock.runUntil(at("2026-11-20T05:15:00Z"));
  expect(events.map((e) => e.kind)).not.toContain("app.freshness_recovered");
  expect(await state()).toBe("late");
  await clock.runUntil(at("2026-11-20T05:40:00Z"));
  const recovered = events.find((e) => e.kind === "app.freshness_recovered")!;
  const friday = site.finished.filter((r) => r.task === "Reload Sales dashboard").at(-1)!;
  expect(friday.startMs).toBeGreaterThanOrEqual(at("2026-11-20T05:10:00Z"));
  expect(recovered.data.freshFrom).toBe(new Date(friday.stopMs).toISOString());
  expect(recovered.summary).toContain(`reloaded successfully at ${new Date(friday.stopMs).toISOString().slice(0, 16).replace("T", " ")}`);
  expect(recovered.summary).toContain('after "erp-delivery" checked in');
  expect(await state()).toBe("fresh");
}, 300_000);
