// The set-up of issue 101's person-hold nights (an Engine reload, a chain restart), as person-hold-symptoms.test.ts
// has it: the Sales chain (Extract sales → Transform sales → Reload Sales dashboard, task-event triggers, each two
// minutes on Reload01, a node that runs one reload at once) and Reload Budget (alone, on Central) on the hour, an
// admin's Finance month end (ten minutes on Reload01, started by hand), a stepped clock shared with Steward, a mail
// route for failures and a Teams route for the watchdog's and the promise's kinds, the alerts' action links offered.
// Each task is retried once by Qlik, so a failure's page does not reach the watchdog's route at once (a failed upstream
// that nothing retries pages its symptoms' routes as it opens: grouping/reach.ts). The dashboard is promised fresh by 03:30: the chain's next run (03:00) would keep it, so a failure at 02:0x does not
// make the breach certain (and the promise warn) before the person has had the page and acted on it.
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createTestApp, type TestApp } from "./app";
import type { PostgresService } from "./services";
import { startPostgres } from "./services";
import { simControl } from "./sim-control";
import { unmarkSiteData } from "./site-data";
import { type SteppedSite, startSteppedSite } from "./stepped-site";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../integration/tell/notify/receivers";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";

export const START = Date.parse("2026-03-10T00:50:00Z");
export const MIN = 60_000;
export const IDS = {
  extract: "00000000-0000-4000-8c00-000000000021",
  transform: "00000000-0000-4000-8c00-000000000022",
  dashboard: "00000000-0000-4000-8c00-000000000023",
  finance: "00000000-0000-4000-8c00-000000000024",
  budget: "00000000-0000-4000-8c00-000000000025",
  budgetApp: "00000000-0000-4000-8c00-0000000000a5",
};
const BASE = "https://steward.corp.example";
const hourly = `{ type: schema, name: Hourly, incrementOption: custom, incrementDescription: "0 1 0 0", startDate: "2026-03-01T00:00:00.000", timeZone: UTC }`;
const after = (up: string) => `[{ type: composite, name: After ${up}, rules: [{ task: ${up} }] }]`;
const task = (id: string, name: string, app: string, triggers: string) =>
  `  - { id: ${id}, name: ${name}, type: reload, app: ${app}, node: Reload01, durationMs: 120000, maxRetries: 1, triggers: ${triggers} }`;
/** `budgetReload`: the Engine's reload of Budget (its duration and outcome). */
const site = (budgetReload: string) => `site: { name: Person hold, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 1, engineTimeout: 30 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Sales }]
apps:
  - { name: Sales extract, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales model, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { name: Sales dashboard, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
  - { id: ${IDS.budgetApp}, name: Budget, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z", reload: ${budgetReload} }
  - { name: Finance, owner: INTERNAL\\sa_scheduler, stream: Sales, lastReloadTime: "2026-03-10T00:00:20.000Z" }
tasks:
${task(IDS.extract, "Extract sales", "Sales extract", `[${hourly}]`)}
${task(IDS.transform, "Transform sales", "Sales model", after("Extract sales"))}
${task(IDS.dashboard, "Reload Sales dashboard", "Sales dashboard", after("Transform sales"))}
  - { id: ${IDS.budget}, name: Reload Budget, type: reload, app: Budget, node: Central, durationMs: 120000, maxRetries: 1, triggers: [${hourly}] }
  - { id: ${IDS.finance}, name: Finance month end, type: reload, app: Finance, node: Reload01, durationMs: 600000, maxRetries: 0, triggers: [] }
`;

export interface HoldScenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
  close(): Promise<void>;
}

/** One Postgres per test file (each scenario its own database), stopped by `stopPostgres`. */
let pg: PostgresService | undefined;
export const stopPostgres = async () => {
  await pg?.stop();
  pg = undefined;
};

export async function startHoldScenario(dir: string, backend: "sqlite" | "postgres", db: string, budgetReload = "{}"): Promise<HoldScenario> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, START, site(budgetReload));
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
    - { taskNames: [Extract sales, Transform sales, Reload Sales dashboard, Reload Budget], expectSuccessWithin: 65m }
freshness:
  interval: 1m
  promises:
    sales-dashboard:
      appNames: [Sales dashboard]
      freshBy: "03:30"
      warnAt: "03:15"
      timeZone: UTC
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail] }
  - { on: [app.stale, task.on_track, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [ops-teams] }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 10s, links: [retry, reload, chain] }
mcp: { enabled: true }
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await s.clock.runUntil(START);
  await starting;
  return {
    s,
    t,
    rx,
    smtp,
    async close() {
      await t.close();
      await s.sim.stop();
      await rx.stop();
      await smtp.stop();
    },
  };
}

export const teamsPosts = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/teams").map((r) => r.body.replace(/\\\\(.)/g, "$1"));
export const mails = (smtp: SmtpReceiver) => smtp.mails.map((m) => `${m.mail.subject ?? ""}\n${m.mail.text ?? ""}`);

/** From 01:55 on, the task's runs fail (the chain on the hour ran well at 01:00). */
export const failFrom0155 = async (sc: HoldScenario, taskId: string) => {
  await sc.s.clock.runUntil(START + 65 * MIN);
  await simControl(sc.s.sim, "PATCH", `/tasks/${taskId}`, {
    outcome: "fail",
    scriptError: "Cannot open file sales.qvd: the file is being used by another process",
  });
};

/** Presses the action link (`a=reload`, `a=chain`) of the failure's mail about `taskName`, confirming with `form`. */
export async function pressLink(sc: HoldScenario, taskName: string, action: "reload" | "chain", form: string): Promise<{ status: number; text: string }> {
  const pattern = new RegExp(`https://steward\\.corp\\.example(/act/incident/\\d+\\?a=${action}[^\\s"<>]+)`);
  const link = pattern.exec(mails(sc.smtp).find((m) => m.includes(`Reload task failed: ${taskName}`)) ?? "")?.[1] ?? "";
  if (!link) throw new Error(`no ${action} link in the failure's mail: ${mails(sc.smtp).join(" | ")}`);
  const res = await sc.t.request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
  return { status: res.status, text: await res.text() };
}

export interface HeldView {
  id: number;
  taskId: string | null;
  heldBy: { rule: string | null; askedBy: string; askedFrom: string; doing: string; dueAt: string | null } | null;
}

/** What the assistant's incidents tool (MCP) says holds the incident. */
async function assistantHold(sc: HoldScenario, id: number): Promise<HeldView["heldBy"] | undefined> {
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${sc.t.app.server!.url().replace(/\/$/, "")}/mcp`)));
  try {
    const r = (await client.callTool({ name: "incidents", arguments: { id } })) as { isError?: boolean; structuredContent?: Record<string, unknown> };
    if (r.isError) throw new Error(`the assistant's incidents tool failed: ${JSON.stringify(r)}`);
    return (unmarkSiteData(r.structuredContent) as { heldBy?: HeldView["heldBy"] }).heldBy;
  } finally {
    await client.close();
  }
}

/** What the incident of `taskId` (REST, GET /v4/incidents/{id}, the assistant), the dashboard and the watchdog say holds it now. */
export async function readHolds(sc: HoldScenario, taskId: string) {
  const incidents = ((await (await sc.t.request("/v4/incidents?status=open")).json()) as { incidents: HeldView[] }).incidents;
  const own = incidents.filter((i) => i.taskId === taskId);
  const one = own[0] ? ((await (await sc.t.request(`/v4/incidents/${own[0].id}`)).json()) as HeldView) : undefined;
  const page = await (await sc.t.request("/ui/incidents")).text();
  const watchdog = (await (await sc.t.request("/v4/watchdog")).json()) as { tasks: { name: string; staleHeldBack: string | null }[] };
  return {
    heldBy: own.map((i) => i.heldBy),
    incident: one?.heldBy ?? null,
    assistant: own[0] ? await assistantHold(sc, own[0].id) : undefined,
    lines: [...page.matchAll(/data-role="held-by">([\s\S]*?)<\/div>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, "")
        .replace(/&#39;/g, "'")
        .replace(/\s+/g, " "),
    ),
    staleHeldBack: Object.fromEntries(watchdog.tasks.map((t) => [t.name, t.staleHeldBack])),
  };
}
