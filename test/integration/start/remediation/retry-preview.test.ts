// Issue 105: a retry previewed before anyone approves it (POST /v4/incidents/{id}/retry with dryRun: true), on the
// simulator and a stepped clock. Node Reload01 runs one reload at a time; five nights teach the watchdog the tasks'
// usual durations; on Tuesday Load CRM fails at 01:40 on a refused connection (a class a retry is offered for); at
// 02:00 Hold engine takes the node's only engine for two hours. A promise says the Load CRM app is fresh by 07:00. At
// 02:05 the preview of a retry in 10 minutes says: Load CRM, started at 02:15, on reload01 where it last ran, whose one
// engine is busy (Qlik's Scheduler queues the run), and the app fresh at about 04:05 if approved (the engine frees at
// 04:00). The refusals are the request's own (a delay past remediation.maxDelay names inMinutes). Nothing is recorded
// or started by it: no action on the incident, no start through QRS, to 02:40.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const CRM = "f5ee0000-0000-4000-8000-0000000000c1";
const SITE = reloadQueueSiteYaml({
  name: "Previewed retry night",
  engines: 1,
  engineTimeout: 30,
  apps: ["Hold engine", "Load CRM"],
  tasks: [
    reloadTask("Hold engine", 120, [daily("02:00")]),
    reloadTask(
      "Load CRM",
      5,
      [daily("01:40")],
      `, id: ${CRM}, maxRetries: 0, scriptError: "Cannot connect to the data source crm-db.corp.example:1433: connection refused"`,
    ),
  ],
});

interface RetryPreview {
  dryRun: true;
  incident: { id: number; title: string };
  task: { id: string; name: string };
  startsAt: string;
  node?: string;
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  startsWhen: string;
  promises: Array<{ promise: string; expectedIfApproved?: string; heldUpBy?: string; text: string }>;
}

const dir = createTempDir("steward-retry-preview-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let incidentId = 0;
const answers: Record<string, { status: number; body: unknown }> = {};
let actionsAfter: unknown[] = [];
let smtp: SmtpReceiver | undefined;
/** The failure mail's "Retry the task" link's page, opened at 02:05 (a GET: it acts on nothing). */
let linkPage = "";

const dryRun = async (body: Record<string, unknown>) => {
  const r = await t!.request(`/v4/incidents/${incidentId}/retry`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ dryRun: true, ...body }),
  });
  return { status: r.status, body: (await r.json()) as unknown };
};

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  // The simulator alone from the Thursday before: five nights on which Load CRM succeeds (5 min) and Hold engine
  // takes the engine from 02:00 (120 min), for the watchdog to learn their usual durations. Tuesday Load CRM fails.
  s = await startSteppedSite(dir.path, Date.parse("2026-02-26T00:00:00Z"), SITE);
  const { clock } = s;
  await clock.runUntil(at("01:00"));
  await simControl(s.sim, "PATCH", `/tasks/${CRM}`, { outcome: "fail" });
  ({ t } = await startStewardOnSite(
    s,
    dir.path,
    `${QUIET_LOOKS}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [anna@corp.example] }
routes:
  - { on: [task.failed], to: [mail] }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
freshness:
  promises:
    crm-morning: { appNames: [Load CRM app], freshBy: "07:00", timeZone: UTC }
`,
    at("01:30"),
  ));
  await clock.runUntil(at("02:05"));
  const { incidents } = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; title: string }> };
  incidentId = incidents.find((i) => i.title === "Load CRM")?.id ?? 0;
  answers.in10 = await dryRun({ inMinutes: 10 });
  answers.tooLate = await dryRun({ inMinutes: 10_080 });
  const mail = smtp.mails.find((m) => (m.mail.subject ?? "").includes("Load CRM"));
  const href =
    /<a href="([^"]+)"[^>]*>Retry the task<\/a>/
      .exec(mail?.mail.html ?? "")?.[1]
      ?.replaceAll("&amp;", "&")
      .replaceAll("&#38;", "&") ?? "";
  if (!href) throw new Error("no Retry the task link in the failure's mail");
  linkPage = await (await t.request(`${new URL(href).pathname}${new URL(href).search}`)).text();
  await clock.runUntil(at("02:40"));
  actionsAfter = ((await (await t.request(`/v4/incidents/${incidentId}/actions`)).json()) as { actions: unknown[] }).actions;
}, 180_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

test("the preview names the task, when it would start, the node it last ran on and that node's busy engine", () => {
  expect(incidentId).toBeGreaterThan(0);
  expect(answers.in10!.status).toBe(200);
  expect(answers.in10!.body).toMatchObject({
    dryRun: true,
    incident: { id: incidentId, title: "Load CRM" },
    task: { id: CRM, name: "Load CRM" },
    startsAt: new Date(at("02:15")).toISOString(),
    engines: { busy: 1, max: 1, waiting: 0, free: false },
  });
  const p = answers.in10!.body as RetryPreview;
  expect(p.node?.toLowerCase()).toContain("reload01");
  expect(p.startsWhen).toContain("no free engine now (1 of 1 busy, 0 waiting): Qlik's Scheduler queues the run until one is free");
});

test("the preview says when the promised app would be fresh: once the node's engine frees at 04:00, then Load CRM's 5 min", () => {
  // Hold engine started at 02:00 and usually takes 120 min; the retry due at 02:15 waits in Qlik's queue until then.
  expect((answers.in10!.body as RetryPreview).promises).toEqual([
    expect.objectContaining({
      promise: "crm-morning",
      expectedIfApproved: new Date(at("04:05")).toISOString(),
      text: "crm-morning fresh at about 2026-03-03 04:05 UTC if approved now (not expected without it)",
    }),
  ]);
});

test("the retry link's page shows what a retry now would meet, above its delays", () => {
  expect(linkPage).toContain("If you retry now");
  expect(linkPage).toMatch(
    /The task is started now \(it last ran on reload01[^)]*; the Scheduler picks the node\); reload01[^ ]* has no free engine now \(1 of 1 busy, 0 waiting\)/,
  );
  expect(linkPage).toContain('name="retry"');
  expect(linkPage).toContain("crm-morning (fresh by 2026-03-03 07:00 UTC): fresh at about 2026-03-03 04:05 UTC if approved now (not expected without it)");
});

test("a dry run is refused as the request would be: a delay past remediation.maxDelay names inMinutes", () => {
  expect(answers.tooLate!.status).toBe(400);
  expect(JSON.stringify(answers.tooLate!.body)).toContain("inMinutes");
});

test("a dry run and the link's page record and start nothing: no action on the incident, no task started through QRS", () => {
  expect(actionsAfter).toEqual([]);
  const starts = s!.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
  expect(starts).toEqual([]);
});
