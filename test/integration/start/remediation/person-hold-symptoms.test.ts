// Issue 101, "a person's retry holds what its failure causes, as a rule's does", on the simulator and a stepped clock
// shared with Steward, on each store: a chain of three tasks (Extract sales hourly → Transform sales → Reload Sales
// dashboard, task-event triggers) whose head fails on a locked QVD at 02:00 and again at Qlik's own retry (its task
// retries once, so the failure's page does not reach the watchdog's route at once), no remediation rule. A mail route
// takes the failures, a Teams route the watchdog's and the promise's kinds. At 02:06 the on-call engineer presses the
// mail's "Retry the task" for 15 minutes later (02:21). The apps fall due at 02:07 (the head's), 02:09 and 02:11, while
// the person's retry is due: Teams is not told they are stale, and the incident says who holds it. When the retry heals
// the lock, the chain runs and Teams never gets a post. When it fails, the mail says so and Teams gets one page, the
// cause's, naming the chain's tasks and the promise.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T00:50:00Z");
const MIN = 60_000;
const HEAD = "00000000-0000-4000-8c00-000000000011";
const BASE = "https://steward.corp.example";
const RETRY = /https:\/\/steward\.corp\.example(\/act\/incident\/\d+\?a=retry[^\s"<>]+)/;
const LOCKED = "Cannot open file sales.qvd: the file is being used by another process";
const hourly = `{ type: schema, name: Hourly, incrementOption: custom, incrementDescription: "0 1 0 0", startDate: "2026-03-01T00:00:00.000", timeZone: UTC }`;
const SITE = `site: { name: Person hold symptoms, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Sales }]
apps:
  - { name: Sales extract, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales model, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales dashboard, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
tasks:
  - { id: ${HEAD}, name: Extract sales, type: reload, app: Sales extract, durationMs: 120000, maxRetries: 1, scriptError: "${LOCKED}", triggers: [${hourly}] }
  - { name: Transform sales, type: reload, app: Sales model, durationMs: 120000, maxRetries: 0, triggers: [{ type: composite, name: After the extract, rules: [{ task: Extract sales }] }] }
  - { name: Reload Sales dashboard, type: reload, app: Sales dashboard, durationMs: 120000, maxRetries: 0, triggers: [{ type: composite, name: After the model, rules: [{ task: Transform sales }] }] }
`;
interface Scenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
}

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

async function startScenario(dir: string, backend: "sqlite" | "postgres", db: string): Promise<Scenario> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, SITE);
  let store = "";
  if (backend === "postgres") {
    pg ??= await startPostgres();
    store = `store:\n  postgres:\n    url: ${await pg.createDatabase(db)}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
  }
  const t = createTestApp(
    `${store}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
notify: { timeZone: UTC }
watchdog:
  interval: 30s
  rules:
    - { taskNames: ["*"], expectSuccessWithin: 65m }
freshness:
  interval: 1m
  promises:
    sales-dashboard:
      appNames: [Sales dashboard]
      freshBy: "02:50"
      warnAt: "02:35"
      timeZone: UTC
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail] }
  - { on: [app.stale, task.on_track, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-teams] }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 10s }
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  return { s, t, rx, smtp };
}

const teamsPosts = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/teams").map((r) => r.body.replace(/\\\\(.)/g, "$1"));
const mails = (smtp: SmtpReceiver) => smtp.mails.map((m) => `${m.mail.subject ?? ""}\n${m.mail.text ?? ""}`);

/** The chain runs well at 01:00; at 02:00 its head fails on the lock (twice); at 02:06 the person presses Retry in 15 minutes. */
async function pressRetryIn15(sc: Scenario): Promise<string> {
  await sc.s.clock.runUntil(START + 65 * MIN);
  await simControl(sc.s.sim, "PATCH", `/tasks/${HEAD}`, { outcome: "fail" });
  await sc.s.clock.runUntil(START + 76 * MIN);
  const link = RETRY.exec(mails(sc.smtp).find((m) => m.includes("Reload task failed: Extract sales")) ?? "")?.[1] ?? "";
  if (!link) throw new Error(`no retry link in the failure's mail: ${mails(sc.smtp).join(" | ")}`);
  const res = await sc.t.request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "retry=900" });
  return res.text();
}

interface HeldView {
  taskId: string | null;
  heldBy: { rule: string | null; askedBy: string; askedFrom: string; doing: string; dueAt: string | null } | null;
}

/** At 02:12, all three apps past due: what the incidents, the dashboard and the watchdog say holds them. */
async function readHolds(sc: Scenario) {
  const incidents = ((await (await sc.t.request("/v4/incidents?status=open")).json()) as { incidents: HeldView[] }).incidents;
  const page = await (await sc.t.request("/ui/incidents")).text();
  const watchdog = (await (await sc.t.request("/v4/watchdog")).json()) as { tasks: { name: string; staleHeldBack: string | null }[] };
  return {
    heldBy: incidents.filter((i) => i.taskId === HEAD).map((i) => i.heldBy),
    lines: [...page.matchAll(/data-role="held-by">([\s\S]*?)<\/div>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, "")
        .replace(/&#39;/g, "'")
        .replace(/\s+/g, " "),
    ),
    staleHeldBack: Object.fromEntries(watchdog.tasks.map((t) => [t.name, t.staleHeldBack])),
  };
}

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a person's retry holds what its failure causes (${backend})`, () => {
    describe("the retry heals the lock", () => {
      const dir = createTempDir(`steward-person-hold-heal-${backend}-`);
      let sc: Scenario;
      let pressed = "";
      let holds: Awaited<ReturnType<typeof readHolds>>;
      afterAll(async () => {
        await closeAll(sc?.t, sc?.s.sim, dir);
        await sc?.rx.stop();
        await sc?.smtp.stop();
      });
      beforeAll(async () => {
        sc = await startScenario(dir.path, backend, "person_hold_heal");
        pressed = await pressRetryIn15(sc);
        // The lock is gone by the time the retry is due.
        await simControl(sc.s.sim, "PATCH", `/tasks/${HEAD}`, { outcome: "succeed" });
        await sc.s.clock.runUntil(START + 82 * MIN);
        holds = await readHolds(sc);
        await sc.s.clock.runUntil(START + 120 * MIN);
      }, 300_000);

      test("the retry ran at 02:21 and the chain after it ran", () => {
        expect(pressed).toContain("will be started again");
        const after = sc.s.finished.filter((r) => r.startMs >= START + 78 * MIN).map((r) => `${r.task}:${r.status}`);
        expect(after).toEqual(["Extract sales:7", "Transform sales:7", "Reload Sales dashboard:7"]);
      });

      test("while it was due, the incident, the dashboard and the watchdog said the person's retry holds it", () => {
        expect(holds.heldBy).toHaveLength(1);
        expect(holds.heldBy[0]).toMatchObject({ rule: null, askedBy: "qlik-ops@corp.example", askedFrom: "link", doing: "retry due" });
        expect(Date.parse(holds.heldBy[0]!.dueAt ?? "")).toBe(START + 91 * MIN);
        expect(holds.lines).toEqual([expect.stringContaining("Retrying: asked by qlik-ops@corp.example (from the alert's link), retry due at")]);
        expect(holds.staleHeldBack["Extract sales"]).toContain('qlik-ops@corp.example asked to retry task "Extract sales" (retry due at');
        expect(holds.staleHeldBack["Transform sales"]).toContain('up its chain, qlik-ops@corp.example asked to retry task "Extract sales"');
        expect(holds.staleHeldBack["Reload Sales dashboard"]).toContain("up its chain, qlik-ops@corp.example asked to retry");
      });

      test("the watchdog's route got no post: no stale app, no promise, no recovery", () => {
        expect(teamsPosts(sc.rx)).toEqual([]);
      });

      test("the mail route got the failure and its recovery saying the retry succeeded", () => {
        const mail = mails(sc.smtp);
        expect(mail).toHaveLength(2);
        expect(mail[0]).toContain("Reload task failed: Extract sales");
        expect(mail[1]).toContain("the retry succeeded.");
        expect(mail.join("\n")).not.toContain("App data is stale");
      });
    });

    describe("the retry fails", () => {
      const dir = createTempDir(`steward-person-hold-fail-${backend}-`);
      let sc: Scenario;
      let beforeItFailed = { mail: [] as string[], teams: [] as string[] };
      afterAll(async () => {
        await closeAll(sc?.t, sc?.s.sim, dir);
        await sc?.rx.stop();
        await sc?.smtp.stop();
      });
      beforeAll(async () => {
        sc = await startScenario(dir.path, backend, "person_hold_fail");
        await pressRetryIn15(sc);
        // The retry starts at 02:21 and fails at about 02:25, after Qlik's own retry of it.
        await sc.s.clock.runUntil(START + 94 * MIN);
        beforeItFailed = { mail: mails(sc.smtp), teams: teamsPosts(sc.rx) };
        await sc.s.clock.runUntil(START + 103 * MIN);
      }, 300_000);

      test("nothing reached the watchdog's route while the person's retry was due or running", () => {
        expect(beforeItFailed.mail).toHaveLength(1);
        expect(beforeItFailed.teams).toEqual([]);
      });

      test("once it failed: the mail says so, and the watchdog's route gets one page naming the chain and the promise", () => {
        const mail = mails(sc.smtp);
        expect(mail).toHaveLength(2);
        expect(mail[1]).toContain("the retry failed.");
        const teams = teamsPosts(sc.rx);
        expect(teams).toHaveLength(1);
        expect(teams[0]).toContain("App data is stale");
        for (const name of ["Extract sales", "Transform sales", "Reload Sales dashboard", "sales-dashboard"]) expect(teams[0]).toContain(name);
      });
    });
  });
