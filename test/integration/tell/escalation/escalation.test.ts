// Escalation on a route, end to end with local HTTP receivers: on one Steward (SQLite) on a manual clock, an incident
// not acknowledged within 30 minutes is sent once on the next route and never before; acknowledged, recovered or
// resolved by hand in time, it is not; a timer armed before a restart fires after it. On two Stewards sharing PostgreSQL (real time, a
// short `after`), it fires once for the cluster, also when the Steward that armed it has stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

const MIN = 60_000;

function routes(rx: HttpReceiver, after: string) {
  return `channels:
  team: { type: webhook, url: "${rx.url}/team" }
  oncall: { type: webhook, url: "${rx.url}/oncall" }
  oncall-teams: { type: teams, webhookUrl: "${rx.url}/oncall-teams" }
routes:
  - { name: team-day, on: [task.failed, task.recovered], to: [team], escalate: { after: ${after}, to: night-phone } }
  - { name: night-phone, on: [task.failed], to: [oncall, oncall-teams] }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
`;
}

async function run(t: TestApp, name: string, outcome: "failed" | "succeeded", nowMs: number): Promise<TaskEvent> {
  // As heard from the Scheduler: a test event (source "test") reads the history but opens no incident.
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome, taskName: name, taskId: `id-${name.replace(/\W/g, "")}`, nowMs }), source: "udp" };
  const out = await t.app.incidents!.annotate(e);
  for (const x of out) await t.app.bus.emit(x.kind, x);
  return out[0]!;
}

const sent = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => (JSON.parse(r.body) as { taskName: string }).taskName);

interface EscalationView {
  incidentId: number;
  state: string;
  reason: string | null;
}

async function escalations(t: TestApp, incidentId: number): Promise<EscalationView[]> {
  return ((await (await t.request(`/v4/escalations?incidentId=${incidentId}`)).json()) as { escalations: EscalationView[] }).escalations;
}

describe("escalation on one Steward (SQLite, manual clock)", () => {
  let rx: HttpReceiver;
  let dir: TempDir;
  let clock: ManualClock;
  let t: TestApp;
  const start = Date.parse("2026-11-23T09:00:00Z");

  beforeAll(async () => {
    rx = startHttpReceiver();
    dir = createTempDir();
    clock = createManualClock(start);
    t = createTestApp(routes(rx, "30m"), { clock, dir: dir.path });
    await t.app.start();
  });
  afterAll(async () => {
    await t?.app.stop();
    dir?.remove();
    await rx?.stop();
  });

  test("not acknowledged within 30 minutes: sent once on the next route, never before", async () => {
    const e = await run(t, "Sales load", "failed", clock.now());
    await waitFor(() => sent(rx, "/team").length === 1, { what: "the team's alert" });
    expect(sent(rx, "/oncall")).toEqual([]); // an escalation target takes events only by escalation
    await clock.advance(29 * MIN);
    await Bun.sleep(200);
    expect(sent(rx, "/oncall")).toEqual([]);
    expect((await escalations(t, e.incident!.id)).map((x) => x.state)).toEqual(["pending"]);
    await clock.advance(MIN);
    await waitFor(() => sent(rx, "/oncall").length >= 1, { what: "the escalation" });
    await clock.advance(120 * MIN);
    await Bun.sleep(300);
    expect(sent(rx, "/oncall")).toEqual(["Sales load"]);
    expect(await escalations(t, e.incident!.id)).toMatchObject([{ state: "fired", reason: "sent on route night-phone" }]);
    // The escalated message says why it came, and carries links to acknowledge the incident.
    const card = rx.requests.find((r) => r.path === "/oncall-teams")!.body;
    expect(card).toContain("was not acknowledged within 30m of the alert on route team-day.");
    expect(card).toContain(`Escalated: incident \\\\#${e.incident!.id}`); // Teams markdown escapes the #
    expect(card).toContain(`https://steward.corp.example/act/incident/${e.incident!.id}?a=ack`);
  });

  test("acknowledged in time: not escalated", async () => {
    const e = await run(t, "HR load", "failed", clock.now());
    await clock.advance(10 * MIN);
    const ack = await t.request(`/v4/incidents/${e.incident!.id}/acknowledge`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(ack.status).toBe(200);
    await clock.advance(40 * MIN);
    await waitFor(async () => (await escalations(t, e.incident!.id))[0]?.state === "stopped", { what: "the timer stopped" });
    expect((await escalations(t, e.incident!.id))[0]!.reason).toContain("acknowledged");
    expect(sent(rx, "/oncall")).toEqual(["Sales load"]);
  });

  test("recovered in time: not escalated", async () => {
    const e = await run(t, "Finance load", "failed", clock.now());
    await clock.advance(5 * MIN);
    await run(t, "Finance load", "succeeded", clock.now());
    await clock.advance(40 * MIN);
    await waitFor(async () => (await escalations(t, e.incident!.id))[0]?.state === "stopped", { what: "the timer stopped" });
    expect((await escalations(t, e.incident!.id))[0]!.reason).toContain("recovered");
    expect(sent(rx, "/oncall")).toEqual(["Sales load"]);
  });

  test("resolved by hand in time: not escalated, and the timer says who resolved it", async () => {
    const e = await run(t, "Stock load", "failed", clock.now());
    await clock.advance(5 * MIN);
    const res = await t.request(`/v4/incidents/${e.incident!.id}/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ note: "replaced by the new ERP load" }),
    });
    expect(res.status).toBe(200);
    await clock.advance(40 * MIN);
    await waitFor(async () => (await escalations(t, e.incident!.id))[0]?.state === "stopped", { what: "the timer stopped" });
    expect((await escalations(t, e.incident!.id))[0]!.reason).toBe("the incident was resolved by anonymous (API): replaced by the new ERP load");
    expect(sent(rx, "/oncall")).toEqual(["Sales load"]);
  });

  test("a timer a Steward claimed but never settled (killed while sending) is taken again, and sent once", async () => {
    const e = await run(t, "Claims load", "failed", clock.now());
    await clock.advance(31 * MIN);
    await waitFor(() => sent(rx, "/oncall").includes("Claims load"), { what: "the escalation" });
    // As if the Steward had been killed after queueing the escalation but before recording it.
    await t.app.sharedStore.sql.run("UPDATE escalations SET state = 'firing', settled_at = ? WHERE incident_id = ?", [clock.now(), e.incident!.id]);
    // On a store of its own only a Steward's own process leaves a claim unsettled, by ending: it starts again, and
    // arms its timer for the moment the claim turns stale (it used to find it at a look every minute).
    await t.app.stop();
    t = createTestApp(routes(rx, "30m"), { clock, dir: dir.path });
    await t.app.start();
    await clock.advance(2 * MIN);
    await waitFor(async () => (await escalations(t, e.incident!.id))[0]?.state === "fired", { what: "the stale claim taken again" });
    await Bun.sleep(300);
    expect(sent(rx, "/oncall").filter((n) => n === "Claims load")).toHaveLength(1);
  });

  test("a timer armed before a restart fires after it", async () => {
    const e = await run(t, "Stock load", "failed", clock.now());
    await waitFor(async () => (await escalations(t, e.incident!.id)).length === 1, { what: "the timer armed" });
    await t.app.stop();
    const later = createManualClock(clock.now() + 10 * MIN);
    t = createTestApp(routes(rx, "30m"), { clock: later, dir: dir.path });
    await t.app.start();
    await later.advance(19 * MIN);
    await Bun.sleep(200);
    expect(sent(rx, "/oncall")).toEqual(["Sales load", "Claims load"]);
    await later.advance(2 * MIN);
    await waitFor(() => sent(rx, "/oncall").length >= 3, { what: "the escalation after the restart" });
    expect(sent(rx, "/oncall")).toEqual(["Sales load", "Claims load", "Stock load"]);
  });
});

describe("escalation on two Stewards sharing PostgreSQL", () => {
  let rx: HttpReceiver;
  let both: TwoStewards | undefined;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    rx = startHttpReceiver();
    both = await startTwoStewards("escalation", routes(rx, "2s"));
    ({ a, b } = both);
  }, 120_000);
  afterAll(async () => {
    await both?.close();
    await rx?.stop();
  });

  test("fires once for the cluster; acknowledged, it does not", async () => {
    const e = await run(a, "Sales load", "failed", Date.now());
    const acked = await run(a, "HR load", "failed", Date.now());
    expect((await b.request(`/v4/incidents/${acked.incident!.id}/acknowledge`, { method: "POST" })).status).toBe(200);
    await waitFor(() => sent(rx, "/oncall").length >= 1, { what: "the escalation", timeoutMs: 20_000 });
    await waitFor(async () => (await escalations(b, acked.incident!.id))[0]?.state === "stopped", { what: "the acknowledged one stopped" });
    await Bun.sleep(2_500); // a second Steward's send would come now
    expect(sent(rx, "/oncall")).toEqual(["Sales load"]);
    expect((await escalations(b, e.incident!.id))[0]!.state).toBe("fired");
  });

  test("the Steward that armed the timer stops: the other fires it", async () => {
    const e = await run(a, "Stock load", "failed", Date.now());
    await waitFor(async () => (await escalations(b, e.incident!.id)).length === 1, { what: "the timer armed" });
    await a.app.stop();
    await waitFor(() => sent(rx, "/oncall").includes("Stock load"), { what: "the escalation by the other Steward", timeoutMs: 20_000 });
    expect((await escalations(b, e.incident!.id))[0]!.state).toBe("fired");
  });
});
