// An action's outcome reaches PagerDuty and Opsgenie where the page went (issue 101): two loads fail on one data source
// (one cause, one alert in each product). The on-call person presses Retry in PagerDuty's alert (its link, confirmed
// with a POST) for the first load, which heals, and for the second, which fails again: each outcome is added to the
// same alert, in PagerDuty as an event of its dedup key with the lines in custom_details (the Events API has no
// notes), in Opsgenie as a note on the alert (Add Note by alias). A retry over REST then heals the second load and
// closes the cause: PagerDuty gets the outcome on the alert before its resolve, Opsgenie in the close's note. Both
// receivers take only the vendor's published request formats. A second PagerDuty service whose channel has a REST
// API key (`notes`) gets each outcome as a note on its incident instead. Before, neither product was told any outcome.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PagerDutyRestReceiver, startPagerDutyRestReceiver } from "../../../helpers/pagerduty-rest-receiver";
import { simControl } from "../../../helpers/sim-control";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";

const IDS = {
  crm: "7e3d0000-0000-4000-8000-000000000001",
  erp: "7e3d0000-0000-4000-8000-000000000002",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: On-call outcomes site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna@corp.example }
apps:
  - { name: CRM, owner: CORP\\anna }
  - { name: ERP, owner: CORP\\anna }
tasks:
  - { id: ${IDS.crm}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.erp}, name: Reload ERP, type: reload, app: ERP, maxRetries: 0, outcome: fail, scriptError: "${CONNECTION}" }
`;
const BASE = "https://steward.corp.example:8443";
const OG_KEY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const HEALED = "Retried by Per Olsson (channel:pd) (from the alert's link) at ";
const FAILED = "Retried by Ines Berg (channel:pd) (from the alert's link) at ";
const REST = "Retried by ";

let pd: OnCallReceiver<PagerDutyEvent>;
/** The second service: its Events API and its REST API (notes). */
let pdn: OnCallReceiver<PagerDutyEvent>;
let rest: PagerDutyRestReceiver;
const REST_KEY = "y_NbAkKc66ryYTWUXYEu";
let og: OnCallReceiver<OpsgenieRequest>;
let h: Harness;
let m: MailedHarness | undefined;

const fail = async (taskId: string) => (await h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000)) as TaskEvent;
const confirm = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const actionsOf = async (id: number) =>
  ((await (await h.t.request(`/v4/incidents/${id}/actions`)).json()) as { actions: Array<{ status: string; outcome: string | null }> }).actions;
/** What PagerDuty's events told of Steward's actions, one text per event (custom_details "What Steward did"). */
const pdTold = () => pd.accepted.flatMap((r) => (r.body.event_action === "trigger" ? [String(r.body.payload.custom_details?.["What Steward did"] ?? "")] : []));
/** The notes Opsgenie's alert got (Add Note, and the close's note). */
const ogNotes = () => og.accepted.flatMap((r) => (r.body.op === "notes" || r.body.op === "close" ? [r.body.body.note ?? ""] : []));
/** The retry link PagerDuty's alert shows for an incident (its links, as the on-call person sees them). */
const pdRetryLink = (incidentId: number) =>
  pd.accepted
    .flatMap((r) => (r.body.event_action === "trigger" ? (r.body.links ?? []) : []))
    .map((l) => l.href)
    .find((href) => href.startsWith(`${BASE}/act/incident/${incidentId}?`) && new URLSearchParams(href.split("?")[1]).get("a") === "retry");
const count = (texts: string[], line: string) => texts.filter((t) => t.includes(line)).length;

beforeAll(async () => {
  pd = startPagerDutyReceiver();
  pdn = startPagerDutyReceiver();
  rest = startPagerDutyRestReceiver(REST_KEY, () => pdn.alerts);
  og = startOpsgenieReceiver(OG_KEY);
  m = await startMailedHarness("steward-on-call-outcomes-", {
    site: SITE,
    to: ["anna@corp.example"],
    extraYaml: (mail) => `
channels:
${mail}
  pd: { type: pagerduty, routingKey: "A0123456789abcdef0123456789abcde", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: "${OG_KEY}", url: "${og.url}" }
  pdn:
    type: pagerduty
    routingKey: "B0123456789abcdef0123456789abcde"
    url: "${pdn.url}/v2/enqueue"
    notes: { apiKey: "${REST_KEY}", from: oncall@corp.example, url: "${rest.url}" }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og, pdn], renotify: every }
grouping: { updates: { every: 1s } }
actionLinks: { publicBaseUrl: "${BASE}" }
remediation: { pollInterval: 1s }
`,
  });
  ({ h } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await pd?.stop();
  await og?.stop();
  await pdn?.stop();
  await rest?.stop();
});

test("each retry's outcome is added to the cause's PagerDuty alert and Opsgenie alert, the failed one saying so, the last before the resolve", {
  timeout: 120_000,
}, async () => {
  const crm = await fail(IDS.crm);
  expect(crm.errorClass).toBe("connection");
  const crmRetry = await waitFor(() => pdRetryLink(crm.incident!.id), { what: "the page's retry link in PagerDuty", timeoutMs: 15_000 });
  await waitFor(() => og.accepted.some((r) => r.body.op === "create"), { what: "the page in Opsgenie", timeoutMs: 15_000 });
  const pagedAt = Date.now();

  // The second load on the same source is the cause's update: the same alert in both products.
  await waitFor(() => Date.now() - pagedAt > 1_100, { what: "the update's interval to pass" });
  const erp = await fail(IDS.erp);
  const erpRetry = await waitFor(() => pdRetryLink(erp.incident!.id), { what: "the update's retry link in PagerDuty", timeoutMs: 15_000 });

  // Reload CRM's retry heals: PagerDuty's alert and Opsgenie's are told so.
  expect((await h.t.request(crmRetry.slice(BASE.length), confirm({ retry: "0", name: "Per Olsson" }))).status).toBe(200);
  await waitFor(async () => (await actionsOf(crm.incident!.id))[0]?.outcome === "succeeded", { what: "the CRM retry to heal", timeoutMs: 30_000 });
  await waitFor(() => count(pdTold(), HEALED) > 0 && count(ogNotes(), HEALED) > 0, { what: "the healed retry told to both products", timeoutMs: 15_000 });
  expect(pdTold().find((t) => t.includes(HEALED))).toContain("the retry succeeded.");
  expect(ogNotes().find((t) => t.includes(HEALED))).toContain("the retry succeeded.");

  // Reload ERP's retry fails again: told there too, saying it failed, with the run's error.
  expect((await h.t.request(erpRetry.slice(BASE.length), confirm({ retry: "0", name: "Ines Berg" }))).status).toBe(200);
  await waitFor(async () => (await actionsOf(erp.incident!.id))[0]?.outcome === "failed", { what: "the ERP retry to fail", timeoutMs: 30_000 });
  await waitFor(() => count(pdTold(), FAILED) > 0 && count(ogNotes(), FAILED) > 0, { what: "the failed retry told to both products", timeoutMs: 15_000 });
  for (const told of [pdTold(), ogNotes()]) expect(told.find((t) => t.includes(FAILED))).toContain("the retry failed.");

  // The source is back: a retry over REST heals Reload ERP and closes the cause. PagerDuty is told before its resolve.
  await simControl(h.sim, "PATCH", `/tasks/${IDS.erp}`, { outcome: "succeed" });
  const asked = await h.t.request(`/v4/incidents/${erp.incident!.id}/retry`, { method: "POST" });
  expect(asked.status).toBeLessThan(300);
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "resolve"), { what: "PagerDuty's resolve at the cause's end", timeoutMs: 30_000 });
  await waitFor(() => og.accepted.some((r) => r.body.op === "close"), { what: "Opsgenie's close at the cause's end", timeoutMs: 15_000 });
  const resolveAt = pd.accepted.findIndex((r) => r.body.event_action === "resolve");
  const before = pd.accepted[resolveAt - 1]!.body;
  expect(before.event_action).toBe("trigger");
  expect(before.dedup_key).toBe(pd.accepted[resolveAt]!.body.dedup_key);
  const last = before.event_action === "trigger" ? String(before.payload.custom_details?.["What Steward did"]) : "";
  expect(last).toContain(REST);
  expect(last).toContain("the retry succeeded.");
  const closing = og.accepted.find((r) => r.body.op === "close")!.body.body.note ?? "";
  expect(closing).toContain("the retry succeeded.");

  // Each outcome told once in each product, all on one alert each, and nothing refused.
  for (const told of [pdTold(), ogNotes()]) expect([count(told, HEALED), count(told, FAILED)]).toEqual([1, 1]);
  expect(pd.alerts.map((a) => a.status)).toEqual(["resolved"]);

  // With a REST API key: each outcome a note on the incident, as the configured user, the last before the resolve;
  // no outcome event on the alert, whose events are the page, the update and the resolve.
  await waitFor(() => pdn.accepted.some((r) => r.body.event_action === "resolve"), { what: "the noted service's resolve", timeoutMs: 15_000 });
  const noted = rest.notes.map((x) => x.content);
  expect([count(noted, HEALED), count(noted, FAILED)]).toEqual([1, 1]);
  expect(noted.at(-1)).toContain("the retry succeeded.");
  expect(rest.notes.every((x) => x.from === "oncall@corp.example" && x.key === pdn.alerts[0]!.key)).toBe(true);
  expect(pdn.accepted.filter((r) => r.body.event_action === "trigger" && r.body.payload.severity === "info")).toEqual([]);
  expect(pdn.alerts.map((a) => a.status)).toEqual(["resolved"]);
  expect([rest.rejected, pdn.rejected]).toEqual([[], []]);
  expect(og.alerts.map((a) => a.status)).toEqual(["resolved"]);
  expect([pd.rejected, og.rejected, pd.droppedActions, og.droppedActions]).toEqual([[], [], [], []]);
});
