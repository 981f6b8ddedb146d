// A job before Qlik that does not check in, on the route docs/watchdog.md documents, with every default (issue 76):
// the Qlik Sense simulator and Steward on one stepped clock, a real SMTP receiver counting the mails. The chain site of
// the freshness tests (Extract orders 05:10 Stockholm → Transform orders → Reload Sales dashboard) is fed by the job
// "wms-export", due at 05:00. Thursday it does not check in: its cause opens and pages the watchdog's route once,
// naming the job and the three tasks and three apps that wait on it (before: the route got nothing, as it takes no
// checkin.* kind). The chain then runs on yesterday's export; the job checks in at 06:20, after it. The cause is over
// only when the chain has reloaded after the check-in: one recovered page then, when Reload Sales dashboard succeeds
// (before: the cause ended at the check-in, over a chain whose reloads had all started before the data arrived).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_SITE, EXTRACT } from "../../../helpers/freshness-chain-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const KEY = "wms-export-stepped-key-0123456789";
const at = (s: string) => Date.parse(s);

/** docs/watchdog.md's set-up, verbatim but for the addresses, and the check-in of docs/checkins.md with its defaults. */
const yaml = (site: SteppedSite, smtpPort: number) => `qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
watchdog: {}
checkins:
  checks:
    wms-export:
      key: ${KEY}
      cron: "0 5 * * 1-5"
      timeZone: Europe/Stockholm
      feeds: { taskNames: [Extract orders] }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
routes:
  - name: what-did-not-happen
    on: [scheduler.queue_backlog, task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.on_track]
    to: [ops-mail]
`;

type CauseDetail = {
  title: string;
  status: string;
  stillFailing: number;
  awaitingReload: number;
  symptoms: Array<{ task: string | null; app: string | null; kind: string; state: string }>;
};

describe("a missed check-in on the watchdog's documented route (simulator, stepped clock)", () => {
  const dir = createTempDir();
  let site: SteppedSite;
  let t: TestApp;
  let smtp: SmtpReceiver;
  let base: string;
  const subjects = () => smtp.mails.map((m) => m.mail.subject ?? "");
  const ping = async () => expect((await fetch(`${base}/ping/${KEY}`, { method: "POST", body: "export done" })).status).toBe(200);
  const cause = async (): Promise<CauseDetail> => {
    const list = (await (await fetch(`${base}/v4/causes?limit=10`)).json()) as { causes: Array<{ id: number; title: string }> };
    const c = list.causes.find((x) => x.title === 'job "wms-export" did not deliver');
    expect(c).toBeDefined();
    return (await (await fetch(`${base}/v4/causes/${c!.id}`)).json()) as CauseDetail;
  };

  beforeAll(async () => {
    // The simulator alone from Friday the 13th: days of the chain for the watchdog to learn from.
    site = await startSteppedSite(dir.path, at("2026-11-13T00:00:00Z"), CHAIN_SITE);
    await site.clock.runUntil(at("2026-11-18T03:00:00Z"));
    smtp = await startSmtpReceiver();
    t = createTestApp(yaml(site, smtp.port), { clock: site.clock, dir: join(dir.path, "steward") });
    await t.app.start();
    site.sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
    base = t.app.server!.url().replace(/\/$/, "");
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await site?.sim.stop();
    dir.remove();
  });

  test("the job on time: nothing", async () => {
    await site.clock.runUntil(at("2026-11-18T04:02:00Z"));
    await ping();
    await site.clock.runUntil(at("2026-11-19T04:00:00Z"));
    expect(subjects()).toEqual([]);
  }, 300_000);

  test("no check-in: one page on the route, naming the job and the 3 tasks and 3 apps that wait on it", async () => {
    await site.clock.runUntil(at("2026-11-19T05:15:00Z"));
    expect(subjects()).toEqual([
      expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, job "wms-export" did not deliver\] Job did not check in: wms-export$/),
    ]);
    const text = smtp.mails[0]!.mail.text ?? "";
    expect(text).toContain("3 tasks, 3 apps");
    expect(text).toContain("Tasks: Extract orders, Reload Sales dashboard, Transform orders");
    expect(text).toContain("Apps: Orders extract, Orders model, Sales dashboard");
    // The chain ran on yesterday's export meanwhile (05:10–06:10 Stockholm).
    expect(site.finished.filter((r) => r.startMs >= at("2026-11-19T04:00:00Z")).map((r) => r.task)).toEqual([
      "Extract orders",
      "Transform orders",
      "Reload Sales dashboard",
    ]);
  }, 300_000);

  test("the check-in after the chain ran: the cause is not over, its tasks wait for a reload of the new data", async () => {
    await site.clock.runUntil(at("2026-11-19T05:20:00Z"));
    await ping();
    await site.clock.runUntil(at("2026-11-19T05:40:00Z"));
    // The reloads that started before the check-in ran on yesterday's export: no recovery.
    expect(subjects()).toHaveLength(1);
    const c = await cause();
    expect(c).toMatchObject({ status: "open", stillFailing: 0, awaitingReload: 3 });
    const page = await (await fetch(`${base}/ui/causes`)).text();
    expect(page).toContain("3 awaiting a reload of the new data");
    const waiting = c.symptoms.filter((s) => s.task !== null && s.state === "awaiting").map((s) => s.task);
    expect(waiting.sort()).toEqual(["Extract orders", "Reload Sales dashboard", "Transform orders"]);
  }, 300_000);

  test("the chain started again after the check-in: one recovered page when its last reload succeeds", async () => {
    expect(site.sim.tasks.start(EXTRACT).started).toBe(true);
    // Extract 20 min → Transform 30 min → Reload Sales 10 min: Transform is still running at 06:20.
    await site.clock.runUntil(at("2026-11-19T06:20:00Z"));
    expect(subjects()).toHaveLength(1);
    const midway = await cause();
    expect(
      midway.symptoms
        .filter((s) => s.task !== null && s.state === "awaiting")
        .map((s) => s.task)
        .sort(),
    ).toEqual(["Reload Sales dashboard", "Transform orders"]);
    await site.clock.runUntil(at("2026-11-19T07:00:00Z"));
    expect(subjects()).toEqual([
      expect.stringMatching(/^\[Qlik Sense\] \[Open: cause #\d+, job "wms-export" did not deliver\]/),
      expect.stringMatching(/^\[Qlik Sense\] \[Recovered: cause #\d+, job "wms-export" did not deliver\] Reload task succeeded: Reload Sales dashboard/),
    ]);
    expect((await cause()).status).toBe("closed");
    // The next night, on time: nothing more.
    await site.clock.runUntil(at("2026-11-20T04:02:00Z"));
    await ping();
    await site.clock.runUntil(at("2026-11-20T05:30:00Z"));
    expect(subjects()).toHaveLength(2);
  }, 300_000);
});
