// End to end against the simulator: a reload task finishes in the site, its datagram reaches the intake, the
// data checks of the app run through the Engine, and the alert reaches a webhook. A failed block check alerts
// once and holds back the event-triggered follow-up; the next reload passes, says so and lets it start. A bad
// expression is reported with the Engine's message; an Engine that does not answer times out and reports.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { simControl } from "../../../helpers/sim-control";
import { waitFor } from "../../../helpers/wait-for";
import { ID, startChecksHarness, type ChecksHarness } from "./harness";

let dir: TempDir;
let h: ChecksHarness;
let scheduleId: string;

beforeAll(async () => {
  dir = createTempDir("steward-checks-e2e-");
  h = await startChecksHarness({ dir: dir.path });
  const r = await h.t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "publish after orders", qlikSenseTaskId: ID.publishOrders, trigger: { on: ["succeeded"], taskIds: [ID.reloadOrders] } }),
  });
  expect(r.status).toBe(201);
  scheduleId = ((await r.json()) as { id: string }).id;
}, 60_000);
afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const lastRunOfSchedule = async () =>
  ((await (await h.t.request(`/v4/schedules?id=${scheduleId}`)).json()) as Array<{ lastRun?: { result: string; error?: string; eventId?: string } }>)[0]!
    .lastRun;

describe("a block check after a reload task", () => {
  test("fails: one data.check_failed with expression, value, expectation and previous; the follow-up is held back", { timeout: 60_000 }, async () => {
    // A first reload with good data sets the baseline (no alert: nothing failed).
    const first = await h.run(ID.reloadOrders);
    expect((await h.runDone(first)).verdict).toBe("passed");
    await waitFor(async () => (await lastRunOfSchedule())?.result === "started", { what: "the follow-up started after the good reload" });
    expect(h.alerts()).toEqual([]);

    await h.setExpressions(ID.orders, {
      "NoOfRows('Orders')": 0,
      "Max(OrderDate)": { text: "2026-11-21", number: 46347 },
      "Today()": { text: "2026-11-22", number: 46348 },
    });
    const seq = h.lastSeq();
    const exec = await h.run(ID.reloadOrders);
    const run = await h.runDone(exec);
    expect(run.verdict).toBe("blocked");
    expect(run.holdBack).toBe("block check orders-not-empty failed");
    expect(run.values.find((v) => v.check === "orders-not-empty")).toMatchObject({ status: "failed", value: { text: "0", number: 0 }, previous: 118204 });
    expect(run.values.find((v) => v.check === "fresh-orders")).toMatchObject({ status: "passed" });

    await waitFor(() => h.alerts().length >= 1, { what: "the alert" });
    const [alert] = h.alerts();
    expect(alert).toMatchObject({
      kind: "data.check_failed",
      app: { id: ID.orders, name: "Orders", stream: "Sales" },
      task: { id: ID.reloadOrders, name: "Reload Orders" },
      reload: { kind: "task" },
      check: {
        name: "orders-not-empty",
        expression: "NoOfRows('Orders')",
        expect: "> 0",
        severity: "block",
        value: { text: "0", number: 0 },
        previous: 118204,
      },
      holdsBack: true,
    });
    expect(alert!.summary).toContain("NoOfRows('Orders') is 0; expected > 0");
    // The follow-up: the event trigger asked the checks and did not start its task.
    await waitFor(async () => (await lastRunOfSchedule())?.result === "held", { what: "the schedule's held fire" });
    expect((await lastRunOfSchedule())?.error).toBe("block check orders-not-empty failed");
    expect(h.startedInSim(seq)).not.toContain(ID.publishOrders);
    const audit = (await (await h.t.request("/v4/audit?action=schedule.held")).json()) as { entries: Array<{ target: string; result: string }> };
    expect(audit.entries[0]).toMatchObject({ target: scheduleId, result: "denied" });
  });

  test("fails again on the next reload: no second alert (once per failure), still held back", { timeout: 60_000 }, async () => {
    const seq = h.lastSeq();
    const exec = await h.run(ID.reloadOrders);
    expect((await h.runDone(exec)).verdict).toBe("blocked");
    await waitFor(async () => (await lastRunOfSchedule())?.eventId?.startsWith(exec) && (await lastRunOfSchedule())?.result === "held", { what: "held again" });
    expect(h.alerts().map((a) => a.kind)).toEqual(["data.check_failed"]);
    expect(h.startedInSim(seq)).not.toContain(ID.publishOrders);
  });

  test("passes on the next reload: data.check_passed says so, and the follow-up starts", { timeout: 60_000 }, async () => {
    await h.setExpressions(ID.orders, {
      "NoOfRows('Orders')": 120_500,
      "Max(OrderDate)": { text: "2026-11-22", number: 46348 },
      "Today()": { text: "2026-11-22", number: 46348 },
    });
    const seq = h.lastSeq();
    const exec = await h.run(ID.reloadOrders);
    expect((await h.runDone(exec)).verdict).toBe("passed");
    await waitFor(() => h.alerts().length >= 2, { what: "the pass" });
    expect(h.alerts()[1]).toMatchObject({
      kind: "data.check_passed",
      check: { name: "orders-not-empty", value: { number: 120500 }, previous: 0 },
      holdsBack: false,
    });
    await waitFor(() => h.startedInSim(seq).includes(ID.publishOrders), { what: "the follow-up task started in the site" });
    expect((await lastRunOfSchedule())?.result).toBe("started");
  });

  test("values are kept and shown: REST history, dashboard page, /metrics", async () => {
    const hist = (await (await h.t.request(`/v4/data-checks/apps/${ID.orders}?check=orders-not-empty`)).json()) as {
      appName: string;
      values: Array<{ value: { number: number } }>;
    };
    expect(hist.appName).toBe("Orders");
    expect(hist.values.map((v) => v.value.number)).toEqual([120500, 0, 0, 118204]);
    const page = await (await h.t.request(`/ui/data-checks/${ID.orders}`)).text();
    expect(page).toContain("orders-not-empty");
    expect(page).toContain("120500");
    const metrics = await (await h.t.request("/metrics")).text();
    expect(metrics).toContain(`steward_data_check_value{app_id="${ID.orders}",app="Orders",check="orders-not-empty"} 120500`);
    expect(metrics).toContain(`steward_data_check_failing{app_id="${ID.orders}",app="Orders",check="orders-not-empty"} 0`);
    expect(metrics).toMatch(/steward_data_check_runs_total\{verdict="blocked"\} 2/);
  });
});

describe("errors", () => {
  test("a bad expression is reported with the Engine's message; the others of the app are still judged", { timeout: 60_000 }, async () => {
    const before = h.alerts().length;
    const exec = await h.run(ID.reloadFinance);
    const run = await h.runDone(exec);
    expect(run.verdict).toBe("failed");
    expect(run.values.find((v) => v.check === "revenue-range")).toMatchObject({ status: "passed" });
    expect(run.values.find((v) => v.check === "currency")).toMatchObject({
      status: "error",
      message: expect.stringMatching(/^Error in expression: the simulator has no value/),
    });
    await waitFor(() => h.alerts().length > before, { what: "the error alert" });
    const e = h.alerts().at(-1)!;
    expect(e).toMatchObject({
      kind: "data.check_error",
      app: { name: "Finance" },
      check: { name: "currency", expression: "Only(Currency)" },
      holdsBack: false,
    });
    expect(e.check!.message).toStartWith("Error in expression: ");
    expect(e.summary).toContain("The Engine could not evaluate Only(Currency): Error in expression:");
  });

  test("an Engine that does not answer: the run ends at dataChecks.timeout with a data.check_error, never a hang", { timeout: 60_000 }, async () => {
    await simControl(h.sim, "POST", "/faults", { target: "engine", rpcMethod: "EvaluateEx", delayMs: 20_000, count: 5 });
    const before = h.alerts().length;
    const started = Date.now();
    const exec = await h.run(ID.reloadFinance);
    const run = await h.runDone(exec);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.verdict).toBe("error");
    expect(run.error).toStartWith("the Engine did not answer within 2 s (dataChecks.timeout) while evaluating ");
    await waitFor(() => h.alerts().length > before, { what: "the timeout alert" });
    const e = h.alerts().at(-1)!;
    expect(e).toMatchObject({ kind: "data.check_error", app: { name: "Finance" }, error: { checks: ["revenue-range", "currency"] } });
    expect(e.check).toBeUndefined();
    expect(e.error!.message).toContain("did not answer within 2 s");
    await simControl(h.sim, "DELETE", "/faults");
  });

  test("an Engine that cannot be reached for a moment is tried once more: no alert", { timeout: 60_000 }, async () => {
    const before = h.alerts().length;
    await simControl(h.sim, "POST", "/listeners/engine/down", { ms: 600 });
    const exec = await h.run(ID.reloadOrders);
    const run = await h.runDone(exec);
    expect(run.verdict).toBe("passed");
    expect(run.error).toBeNull();
    expect(h.alerts().length).toBe(before);
  });

  test("an app larger than maxAppSizeMb is not opened: a data.check_error says so", { timeout: 60_000 }, async () => {
    const seq = h.lastSeq();
    const before = h.alerts().length;
    const run = await h.runDone(await h.run(ID.reloadBig));
    expect(run.verdict).toBe("blocked");
    expect(run.error).toBe("the app is 8192 MB, larger than dataChecks.maxAppSizeMb (4096 MB): not opened");
    expect(h.sim.requests.list({ source: "engine", sinceSeq: seq }).filter((r) => r.rpc?.method === "OpenDoc")).toEqual([]);
    await waitFor(() => h.alerts().length > before, { what: "the alert" });
    expect(h.alerts().at(-1)).toMatchObject({
      kind: "data.check_error",
      app: { name: "Big" },
      error: { message: expect.stringContaining("larger than dataChecks.maxAppSizeMb") },
      holdsBack: true,
    });
  });

  test("an Engine that refuses to open the app: a data.check_error with its answer", { timeout: 60_000 }, async () => {
    await simControl(h.sim, "POST", "/faults", { target: "engine", rpcMethod: "OpenDoc", rpcErrorCode: 1014, body: "App size exceeded", count: 1 });
    const run = await h.runDone(await h.run(ID.reloadFinance));
    expect(run.verdict).toBe("error");
    expect(run.error).toBe("the Engine refused to open the app: Engine OpenDoc failed: App size exceeded (OpenDoc) [engine error 1014]");
  });

  test("reloads finishing together are checked one app at a time (concurrency 1)", { timeout: 60_000 }, async () => {
    await simControl(h.sim, "POST", "/faults", { target: "engine", rpcMethod: "EvaluateEx", delayMs: 200, count: 20 });
    const seq = h.lastSeq();
    const [a, b] = await Promise.all([h.run(ID.reloadOrders), h.run(ID.reloadFinance)]);
    await Promise.all([h.runDone(a), h.runDone(b)]);
    await simControl(h.sim, "DELETE", "/faults");
    // Each app's calls are in one block: the second session starts after the first one's last answer.
    const calls = h.sim.requests.list({ source: "engine", sinceSeq: seq }).filter((r) => r.rpc?.method === "OpenDoc" || r.rpc?.method === "EvaluateEx");
    const app = (r: (typeof calls)[number]) => r.path.split("/")[2];
    const switches = calls.slice(1).filter((r, i) => app(r) !== app(calls[i]!)).length;
    expect(new Set(calls.map(app)).size).toBe(2);
    expect(switches).toBe(1);
  });

  test("a reload of an app without checks opens no Engine session", { timeout: 30_000 }, async () => {
    const seq = h.lastSeq();
    const emitted = () => h.metric("steward_intake_events_emitted_total", { kind: "task.succeeded" });
    const before = await emitted();
    const exec = await h.run(ID.reloadUnchecked);
    // Counted once the event's subscribers (the checks among them) are done with it.
    await waitFor(async () => (await emitted()) > before, { what: "the reload's event handled" });
    expect((await h.t.request(`/v4/data-checks/runs/task:${exec}`)).status).toBe(404);
    expect(h.sim.requests.list({ source: "engine", sinceSeq: seq }).filter((r) => r.rpc?.method === "EvaluateEx")).toEqual([]);
  });
});
