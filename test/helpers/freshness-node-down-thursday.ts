// Issue 76, on the Qlik Sense simulator with Steward on one stepped clock: Sales dashboard is promised fresh by 07:00
// (warn 06:30, Mon–Fri, Europe/Stockholm); its chain is Extract orders (05:10, 20 min, on Central) → Transform orders
// (30 min, on Reload01) → Reload Sales dashboard (10 min, on Reload01). Thursday, Reload01 goes down at 05:20 local
// while the chain runs and comes back at 06:10: Transform never starts (the Scheduler that would have started it was
// down, and the trigger's moment has passed). The promise is at risk the moment its chain stops (05:35, not at 06:30),
// its projection says it cannot be met until the node's cause is fixed and Transform runs again (naming that cause,
// also to users in their words) and does not move with the clock, and its warning,
// breach and recovery fold into the node's cause, even after that cause closed: on the documented routes with every
// default (the watchdog's and the freshness route, one mailbox) Thursday is two pages, the node's open and over.
// Before: the warning at 06:30 "fresh at about 07:10", the breach at 07:00 "at about 07:40", and three pages without a
// cause after the node's had closed. On SQLite (freshness-node-down.test.ts) and on PostgreSQL
// (freshness-node-down-postgres.test.ts): one scenario, two files, so that the suite's workers run them side by side.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../src/platform/events/types";
import { createTestApp, type TestApp } from "./app";
import { CHAIN_SITE_TWO_NODES, nodeDownStewardYaml, SALES_APP, TRANSFORM } from "./freshness-chain-site";
import { type PostgresService, startPostgres } from "./services";
import { simControl } from "./sim-control";
import { type SteppedSite, startSteppedSite } from "./stepped-site";
import { createTempDir } from "./temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../integration/tell/notify/receivers";
import { wallLimit } from "./time-limit";

const at = (s: string) => Date.parse(s);
const KINDS = ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;

/**
 * The Thursday on `backend` (SQLite or PostgreSQL, the causes, deliveries and projections read back from it): registers
 * its describe block, its run in beforeAll and the tests that read the run.
 */
export function describeNodeDownThursday(backend: "sqlite" | "postgres"): void {
  const dir = createTempDir(`steward-freshness-node-down-${backend}-`);
  let pg: PostgresService | undefined;
  describe(backend, () => {
    let site: SteppedSite | undefined;
    let t: TestApp | undefined;
    let smtp: SmtpReceiver | undefined;
    const events: WatchdogEvent[] = [];
    type Expected = {
      deadline: string;
      at: string | null;
      overdue: boolean;
      willMiss: string | null;
      willMissForUsers: string | null;
      cause: { id: number; title: string; since: string; ended: string | null } | null;
    };
    const projections = new Map<string, Expected | null>();
    let wednesdayMails = -1;
    /** What users (/status) and the administrator (/ui/freshness) read while the node was down. */
    const pages = { status: "", dashboard: "" };

    afterAll(async () => {
      await t?.close();
      await smtp?.stop();
      await site?.sim.stop();
      await pg?.stop();
      dir.remove();
    });

    beforeAll(async () => {
      let store = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        // One Steward, nobody to take over: leases renewed each simulated minute, not every 3 s (20 times fewer round trips).
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("freshness_node_down")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      // The simulator alone from Friday the 13th: five days of the chain for the watchdog to learn durations from.
      site = await startSteppedSite(join(dir.path, backend), at("2026-11-13T00:00:00Z"), CHAIN_SITE_TWO_NODES);
      const { sim, clock } = site;
      await clock.runUntil(at("2026-11-18T03:00:00Z"));
      smtp = await startSmtpReceiver();
      t = createTestApp(nodeDownStewardYaml(site, smtp.port, store), { clock, dir: join(dir.path, `${backend}-steward`) });
      for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await t.app.start();
      sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
      const look = async (when: string) => {
        await clock.runUntil(at(when));
        const body = (await (await t!.request("/v4/freshness")).json()) as { rows: Array<{ app: { id: string }; expected: Expected | null }> };
        projections.set(when, body.rows.find((r) => r.app.id === SALES_APP)?.expected ?? null);
      };
      // Wednesday goes as planned; Steward hears where each task runs.
      await clock.runUntil(at("2026-11-19T04:00:00Z"));
      wednesdayMails = smtp.mails.length;
      // Thursday: Reload01 down at 05:20 local, while Extract orders runs on Central.
      await clock.runUntil(at("2026-11-19T04:20:00Z"));
      await simControl(sim, "POST", "/nodes/Reload01/down");
      await look("2026-11-19T04:40:00Z");
      pages.status = await (await t.request("/status")).text();
      pages.dashboard = await (await t.request("/ui/freshness")).text();
      await look("2026-11-19T04:50:00Z");
      await clock.runUntil(at("2026-11-19T05:10:00Z"));
      await simControl(sim, "POST", "/nodes/Reload01/up");
      await look("2026-11-19T05:30:00Z");
      await look("2026-11-19T06:10:00Z");
      // The administrator starts Transform by hand at 07:20 local: fresh at about 08:00.
      await clock.runUntil(at("2026-11-19T06:20:00Z"));
      expect(sim.tasks.start(TRANSFORM).started).toBe(true);
      await look("2026-11-19T06:25:00Z");
      await look("2026-11-19T06:35:00Z");
      await clock.runUntil(at("2026-11-19T08:00:00Z"));
    }, wallLimit(600_000));

    /** A copy of a look's projection: Bun's toMatchObject writes its asymmetric matchers into the object it checks. */
    const proj = (when: string) => structuredClone(projections.get(when));
    const seen = () => events.map((e) => `${e.kind}@${e.receivedAt.slice(0, 16)}`);

    test("Wednesday, as planned: nothing said", () => {
      expect(wednesdayMails).toBe(0);
      const thursday = site!.finished.filter((r) => r.task === "Transform orders" && r.startMs >= at("2026-11-19T00:00:00Z"));
      // Transform did not run at 05:30 local (its node was down); it ran once, started by hand at 07:20.
      expect(thursday).toHaveLength(1);
      expect(Math.abs(thursday[0]!.startMs - at("2026-11-19T06:20:00Z"))).toBeLessThan(60_000);
    });

    test("at risk the moment its chain stops, not at the warning time; late at 07:00; fresh once the chain ran again", () => {
      // Extract ended at 04:30:0x; the first look of the watchdog (every minute) 5 minutes after shows Transform did not
      // start, and the freshness look (every 30 s) after it says so.
      expect(seen()).toEqual(["app.freshness_warning@2026-11-19T04:35", "app.freshness_breached@2026-11-19T06:00", "app.freshness_recovered@2026-11-19T07:00"]);
      const [warning, breach] = events;
      expect(warning!.summary).toContain('"Transform orders" in its chain did not start');
      expect(warning!.summary).toContain('Sales dashboard will not be fresh until "Transform orders" runs again and succeeds');
      expect(warning!.data.expectedAt).toBeUndefined();
      expect(breach!.data.expectedAt).toBeUndefined();
    });

    test("the projection does not move with the clock while the chain is stopped, and counts from the restart after", () => {
      const stopped = proj("2026-11-19T04:40:00Z");
      expect(stopped).toMatchObject({ at: null, deadline: "2026-11-19T06:00:00.000Z" });
      expect(stopped!.willMiss).toContain('"Transform orders"');
      // Ten simulated minutes later (nothing starts Transform): the same.
      expect(proj("2026-11-19T04:50:00Z")).toEqual(stopped!);
      // After the node is back: the same time (none), its cause ended.
      expect(proj("2026-11-19T05:30:00Z")).toMatchObject({ at: null, deadline: "2026-11-19T06:00:00.000Z" });
      // After the deadline the same projection, the deadline passed.
      expect(proj("2026-11-19T06:10:00Z")).toMatchObject({ at: null, willMiss: expect.stringMatching(/^the deadline has passed/) });
      // Restarted at 06:20Z: 30 min of Transform and 10 of the reload, from the restart, the same at each look.
      const restarted = proj("2026-11-19T06:25:00Z");
      expect(Math.abs(Date.parse(restarted!.at!) - at("2026-11-19T07:00:00Z"))).toBeLessThan(60_000);
      expect(proj("2026-11-19T06:35:00Z")!.at).toBe(restarted!.at);
    });

    test("the projection names the cause that stops the chain: until it is fixed while open, what it stopped once it ended", () => {
      const stopped = proj("2026-11-19T04:40:00Z")!;
      const id = stopped.cause?.id;
      expect(proj("2026-11-19T04:40:00Z")!.cause).toEqual({
        id: expect.any(Number),
        title: "Qlik services down on reload01",
        since: expect.stringMatching(/^2026-11-19T04:2/),
        ended: null,
      });
      expect(stopped.willMiss).toMatch(
        new RegExp(
          `^cause #${id} \\(Qlik services down on reload01, since 2026-11-19 05:2\\d CET\\) holds "Transform orders" in its chain: the deadline cannot be met until that cause is fixed and "Transform orders" runs again$`,
        ),
      );
      // Users read the kind of trouble and that it is known, no node or task name.
      expect(stopped.willMissForUsers).toBe(
        `a Qlik server its loads run on is down (a known outage, #${id}, that the administrators are on): a load it depends on has to run again`,
      );
      expect(pages.status).toContain(`a Qlik server its loads run on is down (a known outage, #${id}`);
      expect(pages.status).not.toContain("reload01");
      // The administrator's page links the cause, also while the promise's warning is open.
      expect(pages.dashboard).toContain(`<div data-cause="${id}">`);
      expect(pages.dashboard).toContain(`href="/ui/causes#cause-${id}"`);
      // The node back (its cause ended at 06:10 local): what it stopped, and that Transform has to run again.
      expect(proj("2026-11-19T05:30:00Z")).toMatchObject({
        cause: { id, ended: expect.stringMatching(/^2026-11-19T05:1/) },
        willMiss: expect.stringMatching(
          new RegExp(
            `^cause #${id} \\(Qlik services down on reload01, 2026-11-19 05:2\\d CET to 2026-11-19 06:1\\d CET\\) stopped "Transform orders" in its chain: the deadline cannot be met until "Transform orders" runs again$`,
          ),
        ),
      });
      expect(proj("2026-11-19T06:10:00Z")).toMatchObject({
        willMiss: expect.stringMatching(new RegExp(`^the deadline has passed \\(cause #${id} \\(.*\\) held up "Transform orders" in its chain\\)$`)),
      });
      // The warning, given while the cause was open, names it too.
      expect(events[0]!.summary).toContain(`cause #${id} (Qlik services down on reload01, since`);
      expect(events[0]!.data.causeId).toBe(id);
    });

    test("two pages: the node's cause opened, naming the promise, and over; the warning, breach and recovery fold into it", async () => {
      const subjects = smtp!.mails.map((m) => m.mail.subject ?? "");
      expect(subjects).toEqual([
        expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #(\d+), Qlik services down on reload01\] /),
        expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #(\d+), Qlik services down on reload01\] /),
      ]);
      expect(smtp!.mails[0]!.mail.text).toContain("sales-morning (fresh by");
      // The over page says what is still at risk and what to start.
      expect(smtp!.mails[1]!.mail.text).toContain("Promises still at risk: sales-morning (fresh by");
      expect(smtp!.mails[1]!.mail.text).toContain("Did not run while it lasted (start again if their data is needed before their next run): Transform orders");
      // Each freshness alert was held as the cause's, saying so on the Deliveries page: the warning while the node was down,
      // the breach and the recovery after its cause had ended.
      const reasons: string[] = [];
      for (const e of events) {
        const held = (await (await t!.request(`/v4/deliveries?status=suppressed&eventId=${encodeURIComponent(e.id)}`)).json()) as {
          deliveries: Array<{ reason: string }>;
        };
        expect(held.deliveries).toHaveLength(1);
        reasons.push(held.deliveries[0]!.reason);
      }
      expect(reasons).toEqual([
        expect.stringMatching(/^a symptom of cause #\d+ \(Qlik services down on reload01\): listed there, not sent on its own$/),
        expect.stringMatching(/^made late by cause #\d+ \(Qlik services down on reload01\), which has ended: listed there, not sent$/),
        expect.stringMatching(/^fresh again after cause #\d+ \(Qlik services down on reload01\), which has ended: listed there, not sent$/),
      ]);
      const list = (await (await t!.request("/v4/causes?limit=50")).json()) as {
        causes: Array<{ id: number; title: string; promises: Array<{ promise: string; app: string | null; state: string; at: string }> }>;
      };
      expect(list.causes.map((c) => c.title)).toEqual(["Qlik services down on reload01"]);
      expect(list.causes[0]!.promises).toEqual([
        { promise: "sales-morning", app: "Sales dashboard", state: "fresh again", at: expect.stringMatching(/^2026-11-19T07:0/) },
      ]);
      // The dashboard's causes page says how far the promise went, beside what the cause affected.
      const page = await (await t!.request("/ui/causes")).text();
      expect(page).toContain("Promise sales-morning (Sales dashboard): fresh again");
      const detail = (await (await t!.request(`/v4/causes/${list.causes[0]!.id}`)).json()) as {
        symptoms: Array<{ subject: string; kind: string; state: string }>;
      };
      expect(detail.symptoms.find((x) => x.subject === `watch:freshness:sales-morning:${SALES_APP}`)).toMatchObject({
        kind: "app.freshness_recovered",
        state: "recovered",
      });
    });
  });
}
