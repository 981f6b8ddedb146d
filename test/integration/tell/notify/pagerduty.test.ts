// PagerDuty both ways, against a local Events API v2 that checks every request against PagerDuty's published schema:
// one PagerDuty alert per Steward incident (trigger on the page, acknowledge when acknowledged in Steward, resolve on
// recovery, one dedup key throughout), a cause's three symptoms one alert, and the signed v3 webhook: an incident
// acknowledged in PagerDuty is acknowledged in Steward and audited, one resolved there is resolved in Steward (PagerDuty
// not told back, the echo of Steward's own resolve changing nothing); a bad signature is refused (401) and audited.
// Access control is on (an API key): the webhook needs none, its signature is the credential.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { signPagerDuty } from "../../../../src/tell/on-call";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { failedRun } from "../../../helpers/failed-runs";
import { startHttpReceiver, type HttpReceiver } from "./receivers";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const SECRET = "whsec-pagerduty-test-secret";
/** Access control is on: the webhook's signature is its credential, every other route needs a key. */
const ADMIN_KEY = generateApiKey();

describe("PagerDuty channel", () => {
  let pd: OnCallReceiver<PagerDutyEvent>;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    pd = startPagerDutyReceiver();
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    t = createTestApp(`http: { host: 127.0.0.1, port: ${port}, publicUrl: "https://steward.corp.example" }
security:
  apiKeys: [{ name: admin, hash: "${hashApiKey(ADMIN_KEY)}", scopes: [admin] }]
channels:
  oncall: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", webhookSecret: "${SECRET}" }
routes:
  - { on: [task.failed, task.aborted, task.recovered, service.stopped, service.started], to: [oncall] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await pd?.stop();
  });

  /** A request with the admin key (the API), unlike PagerDuty's webhook. */
  const api = (path: string, init: RequestInit = {}) =>
    t.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), "X-API-Key": ADMIN_KEY } });

  /** As heard from the Scheduler: the run opens, updates or closes its task's incident on its way to the bus. */
  async function run(e: TaskEvent): Promise<TaskEvent[]> {
    const out = await t.app.incidents!.annotate(e);
    for (const x of out) await t.app.bus.emit(x.kind, x);
    return out;
  }
  const sentFor = (key: string) => pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
  const incidentOf = async (title: string) =>
    ((await (await api("/v4/incidents?status=open")).json()) as { incidents: IncidentView[] }).incidents.find((i) => i.title === title);
  type OpenCause = { id: number; title: string; stillFailing: number };
  /** The open cause `matches` picks, once there is one; then its alert's trigger, sent to PagerDuty. */
  async function causeTriggered(matches: (c: OpenCause) => boolean, what: string): Promise<{ cause: OpenCause; key: string }> {
    const cause = await waitFor(async () => ((await (await api("/v4/causes?status=open")).json()) as { causes: OpenCause[] }).causes.find(matches), { what });
    const key = `steward-cause-${cause.id}`;
    await waitFor(() => sentFor(key).length === 1 || undefined, { what: "the cause's trigger" });
    return { cause, key };
  }
  /** A failed reload of `name`, its incident's alert triggered in PagerDuty. */
  async function failureTriggered(name: string): Promise<{ incident: NonNullable<TaskEvent["incident"]>; key: string }> {
    const [failed] = await run(failedRun(name));
    const key = `steward-incident-${failed!.incident!.id}`;
    await waitFor(() => sentFor(key).length === 1 || undefined, { what: "the trigger" });
    return { incident: failed!.incident!, key };
  }
  /** The latest audit entry of a PagerDuty user. */
  const pagerDutyAudit = async () =>
    (
      (await (await api("/v4/audit?actorKind=pagerduty&limit=10")).json()) as {
        entries: Array<{ actor: { kind: string; name: string }; action: string; target: string; result: string }>;
      }
    ).entries[0];
  /** The follow-up's delivery, settled without a request: the product resolved the alert itself (not told back). */
  const notToldBack = (eventId: string) =>
    waitFor(
      async () => {
        const d = (await (await api("/v4/deliveries?limit=50")).json()) as { deliveries: Array<{ eventId: string; status: string; reason: string | null }> };
        return d.deliveries.find((x) => x.eventId === eventId && x.status === "suppressed" && x.reason?.includes("resolved in the product itself"));
      },
      { what: "the follow-up's delivery" },
    );

  test("a failure triggers one alert keyed by its incident, with severity, facts, failing lines and links", async () => {
    // A script error: its own incident, no cause.
    const { incident, key } = await failureTriggered("sales");
    const trigger = pd.accepted.find((r) => r.body.dedup_key === key)!.body;
    if (trigger.event_action !== "trigger") throw new Error("expected a trigger");
    expect(trigger.routing_key).toBe(ROUTING_KEY);
    expect(trigger.payload.severity).toBe("critical");
    expect(trigger.payload.summary).toContain("Load sales");
    expect(trigger.payload.custom_details).toMatchObject({ Task: "Load sales", App: "App sales", "Steward incident": String(incident.id) });
    expect(String(trigger.payload.custom_details!["Failing lines"])).toContain("CustomerKey");
    expect(trigger.links).toContainEqual({ href: "https://steward.corp.example/ui/tasks/task-sales", text: "The task and its runs on Steward's dashboard" });
    expect(pd.rejected).toEqual([]);
  });

  test("acknowledged in Steward, then recovered: acknowledge and resolve under the same dedup key", async () => {
    const incident = (await incidentOf("Load sales"))!;
    const key = `steward-incident-${incident.id}`;
    const res = await api(`/v4/incidents/${incident.id}/acknowledge`, { method: "POST", body: JSON.stringify({ note: "on it" }) });
    expect(res.status).toBe(200);
    await waitFor(() => sentFor(key).length === 2 || undefined, { what: "the acknowledge" });
    // A second acknowledgement of the same incident sends nothing more.
    await api(`/v4/incidents/${incident.id}/acknowledge`, { method: "POST", body: "{}" });
    await run({ ...syntheticTaskEvent({ outcome: "succeeded", taskName: "Load sales", taskId: "task-sales" }), source: "udp" });
    await waitFor(() => sentFor(key).length === 3 || undefined, { what: "the resolve" });
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger", "acknowledge", "resolve"]);
    expect(pd.rejected).toEqual([]);
  });

  test("acknowledged in Steward while PagerDuty refuses the trigger: the acknowledge waits and follows it", async () => {
    pd.refuse(429);
    const refusedBefore = pd.refused;
    const [failed] = await run(failedRun("billing"));
    const key = `steward-incident-${failed!.incident!.id}`;
    await waitFor(() => pd.refused > refusedBefore || undefined, { what: "the trigger refused" });
    const res = await api(`/v4/incidents/${failed!.incident!.id}/acknowledge`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    pd.refuse(undefined);
    await waitFor(() => sentFor(key).length === 2 || undefined, { what: "trigger and acknowledge" });
    expect(sentFor(key)).toEqual(["trigger", "acknowledge"]);
  });

  test("a cause's three symptoms are one PagerDuty alert, acknowledged and resolved as the cause", async () => {
    const before = pd.accepted.length;
    for (const n of ["1", "2", "3"]) await run(failedRun(n, { source: "DWH" }));
    const { key } = await causeTriggered((c) => c.title === "connection errors from DWH" && c.stillFailing === 3, "the cause with three tasks");
    const member = (await incidentOf("Load 3"))!;
    await api(`/v4/incidents/${member.id}/acknowledge`, { method: "POST", body: "{}" });
    await waitFor(() => sentFor(key).length === 2 || undefined, { what: "the cause's acknowledge" });
    for (const n of ["1", "2", "3"]) await run({ ...syntheticTaskEvent({ outcome: "succeeded", taskName: `Load ${n}`, taskId: `task-${n}` }), source: "udp" });
    await waitFor(() => sentFor(key).length === 3 || undefined, { what: "the cause's resolve" });
    await Bun.sleep(300);
    const since = pd.accepted.slice(before).map((r) => [r.body.event_action, r.body.dedup_key]);
    // Every request since was about the cause: no alert, acknowledge or resolve of its three incidents.
    expect(since).toEqual([
      ["trigger", key],
      ["acknowledge", key],
      ["resolve", key],
    ]);
  });

  const webhook = (body: string, signature: string | undefined) =>
    fetch(`${base}/v4/integrations/pagerduty/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(signature ? { "X-PagerDuty-Signature": signature } : {}) },
      body,
    });
  /** A v3 delivery: each has its own id (a replay is told by it) and the time it happened (a stale one by that). */
  const pdEvent = (type: string, incidentKey: string, occurredAt = new Date()) =>
    JSON.stringify({
      event: {
        id: `01DEN${crypto.randomUUID()}`,
        event_type: type,
        resource_type: "incident",
        occurred_at: occurredAt.toISOString(),
        agent: { id: "PUSER01", type: "user_reference", summary: "Anna Berg" },
        client: null,
        data: { id: "Q1EXAMPLE", type: "incident", status: "acknowledged", incident_key: incidentKey, title: "Load orders failed" },
      },
    });

  test("a signed incident.acknowledged acknowledges the incident in Steward, audited as PagerDuty's user; nothing is sent back", async () => {
    const { incident: opened, key } = await failureTriggered("orders");
    const body = pdEvent("incident.acknowledged", key);
    // PagerDuty sends a signature per secret while one is rotated: one of them matches.
    const res = await webhook(body, `v1=${"0".repeat(64)}, ${signPagerDuty(body, SECRET)}`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "done", message: `incident ${opened.id} acknowledged in Steward` });
    // The same request to a route of the API is refused: only the webhook takes PagerDuty's signature as a credential.
    expect((await fetch(`${base}/v4/incidents`)).status).toBe(401);
    const incident = (await incidentOf("Load orders"))!;
    expect(incident.acknowledgedBy).toBe("PagerDuty: Anna Berg");
    expect(incident.acknowledgedNote).toBe("Acknowledged in PagerDuty");
    expect(await pagerDutyAudit()).toMatchObject({
      actor: { kind: "pagerduty", name: "Anna Berg" },
      action: "incident.acknowledge",
      target: key,
      result: "ok",
    });
    await Bun.sleep(500);
    expect(sentFor(key)).toEqual(["trigger"]);
  });

  test("a signed incident.acknowledged of a cause's alert acknowledges the cause and every incident it holds", async () => {
    for (const n of ["21", "22"]) await run(failedRun(n, { source: "ERP" }));
    const { cause, key } = await causeTriggered((c) => c.title === "connection errors from ERP" && c.stillFailing === 2, "the ERP cause with two tasks");
    const body = pdEvent("incident.acknowledged", key);
    const res = await webhook(body, signPagerDuty(body, SECRET));
    expect(await res.json()).toEqual({ status: "done", message: `cause ${cause.id} acknowledged in Steward` });
    for (const n of ["21", "22"]) expect((await incidentOf(`Load ${n}`))!.acknowledgedBy).toBe("PagerDuty: Anna Berg");
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger"]);
  });

  test("a bad or missing signature is refused with 401 before the body is read, and audited", async () => {
    const [failed] = await run(failedRun("stock"));
    const key = `steward-incident-${failed!.incident!.id}`;
    const body = pdEvent("incident.acknowledged", key);
    expect((await webhook(body, signPagerDuty(body, "another-secret"))).status).toBe(401);
    expect((await webhook(body, undefined)).status).toBe(401);
    // Not even parsed: a body that is no JSON at all with a wrong signature is a 401 too, not a 400.
    expect((await webhook("{not json", signPagerDuty("{not json", "another-secret"))).status).toBe(401);
    expect((await incidentOf("Load stock"))!.acknowledgedAt).toBeNull();
    const audit = (await (await api("/v4/audit?result=denied&limit=20")).json()) as {
      entries: Array<{ actor: { kind: string }; details: { route?: string; op?: string; reason?: string; status?: number } }>;
    };
    const refused = audit.entries.filter((e) => e.details.route === "POST /v4/integrations/pagerduty/webhook");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.details).toMatchObject({ op: "pagerduty.webhook", status: 401 });
    expect(refused[0]!.details.reason).toContain("X-PagerDuty-Signature");
  });

  test("a captured signed delivery replayed 300 times is taken once: the replays are refused (409) and audited once per burst (issue 86)", async () => {
    const { key } = await failureTriggered("invoices");
    const body = pdEvent("incident.acknowledged", key);
    const signature = signPagerDuty(body, SECRET);
    const rows = async () => {
      const all = (await (await api("/v4/audit?limit=500")).json()) as {
        entries: Array<{ actor: { kind: string }; details: { route?: string; status?: number; repeated?: number } }>;
      };
      return all.entries.filter((e) => e.actor.kind === "pagerduty" || e.details.route === "POST /v4/integrations/pagerduty/webhook");
    };
    const before = (await rows()).length;
    expect((await webhook(body, signature)).status).toBe(202);
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) statuses.add((await webhook(body, signature)).status);
    expect([...statuses]).toEqual([409]);
    const replay = await webhook(body, signature);
    expect(await replay.json()).toMatchObject({ code: "CONFLICT", error: expect.stringContaining("taken already") });
    // The delivery's own row and the acknowledgement's, then one row for the refused replays (their repeats counted).
    expect((await rows()).length - before).toBeLessThanOrEqual(4);

    // A delivery signed eleven minutes ago (a captured one with an id never used) is refused by its age.
    const stale = pdEvent("incident.resolved", key, new Date(Date.now() - 11 * 60_000));
    const old = await webhook(stale, signPagerDuty(stale, SECRET));
    expect(old.status).toBe(409);
    expect(((await old.json()) as { error: string }).error).toContain("older than 10 minutes");
    expect((await incidentOf("Load invoices"))!.status).toBe("open");
  });

  test("incident.resolved resolves the incident in Steward, audited as PagerDuty's user; no resolve is sent back to PagerDuty", async () => {
    const { incident, key } = await failureTriggered("refunds");
    const body = pdEvent("incident.resolved", key);
    const res = await webhook(body, signPagerDuty(body, SECRET));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "done", message: `incident ${incident.id} resolved in Steward` });
    const after = (await (await api(`/v4/incidents/${incident.id}`)).json()) as IncidentView;
    expect(after.status).toBe("closed");
    expect(after.closedSummary).toBe("resolved by PagerDuty: Anna Berg (PagerDuty): Resolved in PagerDuty");
    expect(await pagerDutyAudit()).toMatchObject({ actor: { kind: "pagerduty", name: "Anna Berg" }, action: "incident.resolve", target: key, result: "ok" });
    // Its follow-up went through the notifier to the channel, which sent PagerDuty nothing (recorded so, not as delivered).
    await notToldBack(`incident-${incident.id}:resolved`);
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger"]);
    // A later failure of the task is a new incident, a new alert.
    const [again] = await run(failedRun("refunds"));
    expect(again!.incident!.id).not.toBe(incident.id);
  });

  test("resolved in Steward: PagerDuty gets its resolve, and the echo it sends back changes nothing", async () => {
    const { incident, key } = await failureTriggered("returns");
    const res = await api(`/v4/incidents/${incident.id}/resolve`, { method: "POST", body: JSON.stringify({ note: "fixed the DSN" }) });
    expect(res.status).toBe(200);
    await waitFor(() => sentFor(key).length === 2 || undefined, { what: "the resolve" });
    expect(sentFor(key)).toEqual(["trigger", "resolve"]);
    const echo = pdEvent("incident.resolved", key);
    expect(await (await webhook(echo, signPagerDuty(echo, SECRET))).json()).toEqual({
      status: "done",
      message: `incident ${incident.id} was already closed in Steward`,
    });
    const after = (await (await api(`/v4/incidents/${incident.id}`)).json()) as IncidentView;
    expect(after.closedSummary).toBe("resolved by admin (API): fixed the DSN");
    // An event of an alert Steward did not open is taken and ignored.
    const other = pdEvent("incident.acknowledged", "some-other-tool-key");
    const ignored = await webhook(other, signPagerDuty(other, SECRET));
    expect(await ignored.json()).toMatchObject({ status: "ignored" });
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger", "resolve"]);
  });

  test("a cause holding no incident (a node's Scheduler stopped), resolved in Steward, is resolved in PagerDuty", async () => {
    const stopped = syntheticServiceEvent({ state: "stopped", host: "qlik9.corp.example", service: "QlikSenseSchedulerService" });
    await t.app.bus.emit(stopped.kind, stopped);
    const { cause, key } = await causeTriggered((c) => c.title.includes("qlik9"), "the node's cause");
    const res = await api(`/v4/causes/${cause.id}/resolve`, { method: "POST", body: JSON.stringify({ note: "node rebuilt" }) });
    expect(res.status).toBe(200);
    // The stopped service's own incident (issue 84) closes with the cause; the cause's alert is the one resolved.
    expect(((await res.json()) as { incidents: unknown[] }).incidents).toMatchObject([{ status: "closed", taskId: null }]);
    await waitFor(() => sentFor(key).length === 2 || undefined, { what: "the cause's resolve" });
    expect(sentFor(key)).toEqual(["trigger", "resolve"]);
    expect(((await (await api(`/v4/causes/${cause.id}`)).json()) as { status: string }).status).toBe("closed");
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger", "resolve"]);
  });

  test("a cause holding no incident, resolved in PagerDuty: closed in Steward, its follow-up not sent back", async () => {
    const stopped = syntheticServiceEvent({ state: "stopped", host: "qlik8.corp.example", service: "QlikSenseSchedulerService" });
    await t.app.bus.emit(stopped.kind, stopped);
    const { cause, key } = await causeTriggered((c) => c.title.includes("qlik8"), "the node's cause");
    const body = pdEvent("incident.resolved", key);
    const res = await webhook(body, signPagerDuty(body, SECRET));
    expect(res.status).toBe(202);
    expect(((await (await api(`/v4/causes/${cause.id}`)).json()) as { status: string }).status).toBe("closed");
    await notToldBack(`cause-${cause.id}:resolved`);
    await Bun.sleep(300);
    expect(sentFor(key)).toEqual(["trigger"]);
  });
});

describe("PagerDuty reached by an escalation only", () => {
  let pd: OnCallReceiver<PagerDutyEvent>;
  let rx: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    pd = startPagerDutyReceiver();
    rx = startHttpReceiver();
    t = createTestApp(`channels:
  team: { type: webhook, url: "${rx.url}/team" }
  pager: { type: webhook, url: "${rx.url}/pager" }
  oncall: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { name: team, on: [service.stopped], to: [team], escalate: { after: 1s, to: phone } }
  - { name: phone, on: [service.stopped], to: [oncall, pager] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
    await pd?.stop();
  });

  test("a node's cause escalated to PagerDuty and a pager, then resolved by hand in Steward: resolved there once, the pager told once", async () => {
    const stopped = syntheticServiceEvent({ state: "stopped", host: "qlik7.corp.example", service: "QlikSenseSchedulerService" });
    await t.app.bus.emit(stopped.kind, stopped);
    const cause = await waitFor(
      async () => ((await (await t.request("/v4/causes?status=open")).json()) as { causes: Array<{ id: number; title: string }> }).causes[0],
      { what: "the node's cause" },
    );
    const key = `steward-cause-${cause.id}`;
    const sent = () => pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
    await waitFor(() => sent().length === 1 || undefined, { what: "the escalation's trigger" });
    const res = await t.request(`/v4/causes/${cause.id}/resolve`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(200);
    await waitFor(() => sent().length === 2 || undefined, { what: "the resolve" });
    await Bun.sleep(300);
    expect(sent()).toEqual(["trigger", "resolve"]);
    // The team's channel got the page, and the pager got it by the escalation: each gets the follow-up, once.
    const followUps = (path: string) => rx.requests.filter((r) => r.path === path && r.headers.get("x-steward-event") === "cause.resolved");
    await waitFor(() => (followUps("/team").length > 0 && followUps("/pager").length > 0) || undefined, { what: "the follow-ups" });
    await Bun.sleep(300);
    expect([followUps("/team").length, followUps("/pager").length]).toEqual([1, 1]);
  });
});
