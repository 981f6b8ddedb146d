// Issue 101's night with the documented rule (docs/remediation.md: connection, lock and timeout errors retried 5 and
// 15 minutes later, the default budget), a slice of its closing scenario on the simulator and a stepped clock: 38
// tasks over three nodes (twelve loads on the source DWH, a lock and a connection error on the two workers, eight
// chains of three that run well), the mail and the Teams channel on a route for the tasks' failures and one for the
// watchdog's kinds (the apps are expected within a day and 5 minutes, so all fourteen fall due at 02:05, while the
// rule is retrying). Everything fails from 01:55 and is back 17 minutes later: every failure heals under the rule, so
// neither channel gets a post, every task runs again once it is back, and the budget is never the reason for a page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { qlikYaml } from "../scheduler/sim-setup";

const START = Date.parse("2026-03-10T01:50:00Z");
const MIN = 60_000;
const NODES = ["Central", "Worker1", "Worker2"];
const LOADS = Array.from({ length: 12 }, (_, i) => `Load ${String(i + 1).padStart(2, "0")}`);
const CHAINS = Array.from({ length: 8 }, (_, i) => String.fromCharCode(65 + i));
const hex = (n: number) => String(n).padStart(12, "0");
const daily = (at: string) => `{ type: schema, name: Nightly, incrementOption: daily, startDate: "2026-03-01T${at}.000", timeZone: UTC }`;
const LOCK = "The file lib://Data/stock/facts.qvd is being used by another process";
const CONNECTION = "Connection refused: the server did not accept the connection";

interface SiteTask {
  name: string;
  app: string;
  node: string;
  line: string;
  triggers: string;
  script?: string;
}

/** Each failing task's app reads its own source, but the twelve loads share DWH (the sim's default script). */
const script = (lib: string) => `LIB CONNECT TO '${lib}';\\n[facts]:\\nLOAD * FROM [lib://Data/facts.qvd] (qvd);`;

function siteTasks(): SiteTask[] {
  const loads = LOADS.map((n) => ({ name: n, app: `${n} app`, node: "Central", line: CONNECTION, triggers: `[${daily("02:00:00")}]` }));
  const own = [
    { name: "Reload Stock", app: "Stock", node: "Worker1", line: LOCK, triggers: `[${daily("02:00:00")}]`, script: script("STOCKFS") },
    { name: "Reload CRM", app: "CRM", node: "Worker2", line: CONNECTION, triggers: `[${daily("02:00:00")}]`, script: script("CRM") },
  ];
  const chains = CHAINS.flatMap((c, i) =>
    [1, 2, 3].map((k) => ({
      name: `Chain ${c}${k}`,
      app: `Chain ${c}${k} app`,
      node: NODES[i % 3]!,
      line: "",
      triggers: k === 1 ? `[${daily("02:30:00")}]` : `[{ type: composite, name: After ${c}${k - 1}, rules: [{ task: Chain ${c}${k - 1}, state: success }] }]`,
    })),
  );
  return [...loads, ...own, ...chains];
}

function site(): string {
  const tasks = siteTasks();
  const apps = tasks.map(
    (t, i) =>
      `  - { id: 00000000-0000-4000-8d00-${hex(i)}, name: ${t.app}, owner: INTERNAL\\sa_scheduler, stream: Ops, lastReloadTime: "2026-03-09T02:00:20.000Z"${t.script ? `, script: "${t.script}"` : ""} }`,
  );
  const rows = tasks.map(
    (t, i) =>
      `  - { id: 00000000-0000-4000-8c00-${hex(i)}, name: ${t.name}, type: reload, app: ${t.app}, node: ${t.node}, durationMs: 20000, maxRetries: 0${t.line ? `, scriptError: "${t.line}"` : ""}, triggers: ${t.triggers} }`,
  );
  return `site: { name: Issue 101 night, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Worker1, hostName: sense2.test.example }
  - { name: Worker2, hostName: sense3.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Ops }]
apps:
${apps.join("\n")}
tasks:
${rows.join("\n")}
`;
}

const FAILING = [...LOADS, "Reload Stock", "Reload CRM"];
const teamsPosts = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/teams");

interface Night {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
  idOf: Map<string, string>;
}

/** The night on its own site and Steward: every source refuses from 01:55; back 17 minutes later, DWH only if `dwhBack`. */
async function playNight(dir: string, dwhBack: boolean): Promise<Night> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, site());
  const t = createTestApp(
    `${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
watchdog:
  interval: 30s
  rules:
    - { taskNames: ["Load *", "Reload *"], expectSuccessWithin: 1445m }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail, ops-teams] }
  - { on: [app.stale, task.missed, task.chain_broken, scheduler.queue_backlog, task.on_track], to: [ops-mail, ops-teams] }
remediation:
  rules:
    - name: transient-retries
      retryAfter: [5m, 15m]
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  const idOf = new Map<string, string>();
  for (const task of (await simControl(s.sim, "GET", "/tasks")) as Array<{ id: string; name: string }>) idOf.set(task.name, task.id);
  await s.clock.runUntil(START + 5 * MIN);
  for (const n of FAILING) await simControl(s.sim, "PATCH", `/tasks/${idOf.get(n)}`, { outcome: "fail" });
  await s.clock.runUntil(START + 22 * MIN);
  for (const n of dwhBack ? FAILING : ["Reload Stock", "Reload CRM"]) await simControl(s.sim, "PATCH", `/tasks/${idOf.get(n)}`, { outcome: "succeed" });
  await s.clock.runUntil(START + 70 * MIN);
  return { s, t, rx, smtp, idOf };
}

const auditOf = async (t: TestApp, action: string) =>
  ((await (await t.request(`/v4/audit?action=${action}&limit=500`)).json()) as { entries: Array<{ target: string }> }).entries;

describe("issue 101's night under the documented rule: everything heals, nothing is posted", () => {
  const dir = createTempDir("steward-rule-night-");
  let n: Night;
  afterAll(async () => {
    await closeAll(n?.t, n?.s.sim, dir);
    await n?.rx.stop();
    await n?.smtp.stop();
  });
  beforeAll(async () => {
    n = await playNight(dir.path, true);
  }, 600_000);

  test("the 38 tasks: the fourteen failed at 02:00, each ran well again once its source was back; the chains ran", () => {
    expect(n.idOf.size).toBe(38);
    for (const name of FAILING) {
      const runs = n.s.finished.filter((r) => r.task === name);
      expect({ name, failed: runs.some((r) => r.status === 8 && r.startMs < START + 12 * MIN) }).toEqual({ name, failed: true });
      expect({ name, back: runs.some((r) => r.status === 7 && r.startMs >= START + 22 * MIN) }).toEqual({ name, back: true });
    }
    for (const c of CHAINS) expect(n.s.finished.filter((r) => r.task === `Chain ${c}3` && r.status === 7)).toHaveLength(1);
  });

  test("no post on any route: every failure healed under the rule, its app's staleness with it", () => {
    expect(n.smtp.mails.map((m) => m.mail.subject)).toEqual([]);
    expect(teamsPosts(n.rx)).toHaveLength(0);
  });

  test("within the budget: nothing withheld, the source's twelve retried through one probe", async () => {
    expect(await auditOf(n.t, "remediation.withheld")).toEqual([]);
    const loads = new Set(LOADS.map((name) => n.idOf.get(name)!.toLowerCase()));
    // The probe's two retries and one for each of the eleven others: 13 for the source, not 24.
    expect((await auditOf(n.t, "remediation.request")).filter((a) => loads.has(a.target.toLowerCase()))).toHaveLength(13);
  });
});

describe("the same night, DWH never back: one page at most for the source, none for what healed", () => {
  const dir = createTempDir("steward-rule-night-down-");
  let n: Night;
  afterAll(async () => {
    await closeAll(n?.t, n?.s.sim, dir);
    await n?.rx.stop();
    await n?.smtp.stop();
  });
  beforeAll(async () => {
    n = await playNight(dir.path, false);
  }, 600_000);

  test("each channel gets one post, the source's, naming the attempts; nothing of the lock or connection that healed", () => {
    const mails = n.smtp.mails.map((m) => `${m.mail.subject}\n${m.mail.text ?? ""}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("DWH");
    expect(mails[0]).toContain("Remediation tried twice, gave up");
    expect(teamsPosts(n.rx)).toHaveLength(1);
    for (const text of [...mails, ...teamsPosts(n.rx).map((r) => r.body)]) {
      expect(text).not.toContain("Reload Stock");
      expect(text).not.toContain("Reload CRM");
    }
  });
});
