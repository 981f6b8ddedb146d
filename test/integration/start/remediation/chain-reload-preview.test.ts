// Issue 105: starting an incident's chain again and reloading its app through the Engine, previewed before anyone
// approves (REST dryRun: true, and the links' pages), on the simulator and a stepped clock. Node Reload01 runs four
// reloads at once for five nights, so the watchdog learns each task's usual duration; on Tuesday it runs two, and Load
// Sales (after Extract orders, 01:00) fails on a script error at 01:05. At 01:50 two admin reloads (100 and 130 min)
// take both engines until 03:30. A promise says the Load Sales app is fresh by 07:00. At 02:00 the chain's preview from
// Extract orders says: Extract orders, then Load Sales after it, on reload01, waiting for a free engine (2 of 2 busy),
// and Sales fresh at about 03:40 if approved now; the Engine reload's says a full reload now, not waiting for the
// Scheduler's queue, and Sales fresh at about 02:05. The links' pages say the same before their buttons. Nothing is
// recorded or started by any of it: no action, no start through QRS, no Engine reload, to 02:30.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const EXTRACT = "c6ee0000-0000-4000-8000-000000000001";
const SALES = "c6ee0000-0000-4000-8000-000000000002";
const SITE = reloadQueueSiteYaml({
  name: "Previewed chain night",
  engines: 4,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 100, [daily("01:50")]),
    reloadTask("Admin long 2", 130, [daily("01:50")]),
    reloadTask("Extract orders", 5, [daily("01:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [after("Extract orders")], `, id: ${SALES}, scriptError: "Field 'OrderDate' not found"`),
  ],
});

interface Promised {
  promise: string;
  expectedIfApproved?: string;
  heldUpBy?: string;
  text: string;
}
interface ChainPreview {
  dryRun: true;
  node?: string;
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  startsWhen: string;
  runs: Array<{ order: number; taskName: string; after?: string }>;
  promises: Promised[];
}
interface ReloadPreview {
  dryRun: true;
  app: { id: string; name: string };
  reload: "full" | "partial";
  startsWhen: string;
  promises: Promised[];
}

const dir = createTempDir("steward-chain-reload-preview-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
let incidentId = 0;
const answers: Record<string, { status: number; body: unknown }> = {};
const pages: Record<"reload" | "chain", string> = { reload: "", chain: "" };
let actionsAfter: unknown[] = [];

const dryRun = async (path: string, body: Record<string, unknown>) => {
  const r = await t!.request(`/v4/incidents/${incidentId}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ dryRun: true, ...body }),
  });
  return { status: r.status, body: (await r.json()) as unknown };
};

/** The page a mail's link opens (a GET: it acts on nothing). */
async function linkPage(text: string, label: string): Promise<string> {
  const href = new RegExp(`${label}: (\\S+)`).exec(text)?.[1];
  if (!href) throw new Error(`no ${label} link in the failure's mail`);
  const u = new URL(href);
  return (await t!.request(`${u.pathname}${u.search}`)).text();
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  // The simulator alone from the Thursday before, with four engines: five nights for the watchdog to learn from.
  s = await startSteppedSite(dir.path, Date.parse("2026-02-26T00:00:00Z"), SITE);
  const { sim, clock } = s;
  await clock.runUntil(at("00:30"));
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  await simControl(sim, "PATCH", `/tasks/${SALES}`, { outcome: "fail" });
  ({ t } = await startStewardOnSite(
    s,
    dir.path,
    // The failure is paged as its own incident (with its actions' links), not as a cause of the promise at risk.
    `${QUIET_LOOKS.replace("grouping:\n", "grouping:\n  enabled: false\n")}channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [anna@corp.example] }
routes:
  - { on: [task.failed], to: [mail] }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
remediation: { links: [reload, chain] }
freshness:
  promises:
    sales-morning: { appNames: [Load Sales app], freshBy: "07:00", timeZone: UTC }
`,
    at("00:40"),
  ));
  await clock.runUntil(at("02:00"));
  const { incidents } = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; title: string }> };
  incidentId = incidents.find((i) => i.title === "Load Sales")?.id ?? 0;
  answers.chain = await dryRun("restart-chain", { taskId: EXTRACT });
  answers.reload = await dryRun("reload-app", {});
  answers.outside = await dryRun("restart-chain", { taskId: "c6ee0000-0000-4000-8000-0000000000ff" });
  const mail = smtp.mails.find((m) => (m.mail.subject ?? "").includes("Load Sales"));
  pages.reload = await linkPage(mail?.mail.text ?? "", "Reload the app");
  pages.chain = await linkPage(mail?.mail.text ?? "", "Restart the chain");
  await clock.runUntil(at("02:30"));
  actionsAfter = ((await (await t.request(`/v4/incidents/${incidentId}/actions`)).json()) as { actions: unknown[] }).actions;
}, 240_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

test("the chain's preview: the tasks in order, the node, the wait for a free engine, and Sales fresh at about 03:40", () => {
  expect(incidentId).toBeGreaterThan(0);
  expect(answers.chain!.status).toBe(200);
  const p = answers.chain!.body as ChainPreview;
  expect(p).toMatchObject({
    dryRun: true,
    engines: { busy: 2, max: 2, waiting: 0, free: false },
    runs: [
      { order: 1, taskName: "Extract orders" },
      { order: 2, taskName: "Load Sales", after: "Extract orders" },
    ],
  });
  expect(p.node?.toLowerCase()).toContain("reload01");
  expect(p.startsWhen).toMatch(/^waiting for a free engine on reload01[^:]*: 2 of 2 busy$/);
  // An engine frees at 03:30 (Admin long 1 since 01:50, usually 100 min); then Extract orders and Load Sales, 5 min each.
  expect(p.promises).toEqual([
    expect.objectContaining({
      promise: "sales-morning",
      expectedIfApproved: new Date(at("03:40")).toISOString(),
      text: "sales-morning fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)",
    }),
  ]);
});

test("the Engine reload's preview: a full reload now, whatever the Scheduler's queue, and Sales fresh at about 02:05", () => {
  expect(answers.reload!.status).toBe(200);
  const p = answers.reload!.body as ReloadPreview;
  expect(p).toMatchObject({ dryRun: true, app: { name: "Load Sales app" }, reload: "full" });
  expect(p.startsWhen).toContain("without waiting for the Scheduler's queue");
  expect(p.promises).toEqual([expect.objectContaining({ promise: "sales-morning", expectedIfApproved: new Date(at("02:05")).toISOString() })]);
});

test("a dry run is refused as the request would be: a task outside the chain names taskId", () => {
  expect(answers.outside!.status).toBe(400);
  expect(JSON.stringify(answers.outside!.body)).toContain("taskId");
});

test("the links' pages say the same before their buttons", () => {
  expect(pages.reload).toContain("If you reload now");
  expect(pages.reload).toContain(
    "sales-morning (fresh by 2026-03-03 07:00 UTC): fresh at about 2026-03-03 02:05 UTC if approved now (not expected without it)",
  );
  expect(pages.chain).toContain("If you start from Extract orders now");
  expect(pages.chain).toContain('<li data-role="preview-run">Load Sales <span class="muted">after Extract orders has ended</span></li>');
  expect(pages.chain).toContain("sales-morning (fresh by 2026-03-03 07:00 UTC): fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)");
});

test("dry runs and the links' pages record and start nothing: no action, no start through QRS, no Engine reload", () => {
  expect(actionsAfter).toEqual([]);
  const starts = s!.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
  expect(starts).toEqual([]);
  expect(s!.sim.engine.reloads).toEqual([]);
});
