// Escalation meets maintenance windows and silences, end to end on one Steward (SQLite, manual clock) with local HTTP
// receivers. What an administrator expects, and these tests hold Steward to:
// - An escalation that falls due while a window or a silence covers the incident does not page then: planned work
//   (or a silence) means "keep quiet". It waits for the window or silence to end and is judged again then: still open
//   and still not acknowledged, it pages the next route once; acknowledged or recovered meanwhile, it stops. It is not
//   recorded as held in the window (it never was an alert of the window), so the summary counts each alert once.
// - An alert the window or silence held was never sent: nobody was told, so no escalation timer starts from it.
// - A window's summary names a condition that ended and began again inside it once, as still open.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

const MIN = 60_000;
const START = Date.parse("2026-11-23T09:00:00Z");
const at = (min: number) => new Date(START + min * MIN).toISOString();

function config(rx: HttpReceiver, windows: string): string {
  return `channels:
  team: { type: webhook, url: "${rx.url}/team" }
  oncall: { type: webhook, url: "${rx.url}/oncall" }
  summaries: { type: webhook, url: "${rx.url}/summary" }
routes:
  - { name: team-day, on: [task.failed, task.recovered], to: [team], escalate: { after: 30m, to: night-phone }, renotify: every }
  - { name: night-phone, on: [task.failed], to: [oncall] }
  - { name: maintenance, on: [maintenance.summary], to: [summaries] }
${windows}`;
}

async function run(t: TestApp, name: string, outcome: "failed" | "succeeded", nowMs: number): Promise<TaskEvent> {
  // As heard from the Scheduler: a test event (source "test") reads the history but opens no incident.
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome, taskName: name, taskId: `id-${name.replace(/\W/g, "")}`, nowMs }), source: "udp" };
  const out = await t.app.incidents!.annotate(e);
  for (const x of out) await t.app.bus.emit(x.kind, x);
  return out[0]!;
}

interface Delivery {
  status: string;
  eventTitle: string | null;
  kind: string;
  reason: string | null;
}

/** Every delivery the outbox has for a channel: written synchronously by the notifier, so no wait is needed. */
async function deliveries(t: TestApp, channel: string): Promise<Delivery[]> {
  return ((await (await t.request(`/v4/deliveries?channel=${channel}&limit=100`)).json()) as { deliveries: Delivery[] }).deliveries;
}

interface EscalationView {
  state: string;
  reason: string | null;
  dueAt: string;
}

async function escalations(t: TestApp, incidentId: number): Promise<EscalationView[]> {
  return ((await (await t.request(`/v4/escalations?incidentId=${incidentId}`)).json()) as { escalations: EscalationView[] }).escalations;
}

async function ack(t: TestApp, incidentId: number): Promise<void> {
  const res = await t.request(`/v4/incidents/${incidentId}/acknowledge`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(200);
}

const titles = (rows: Delivery[]) => rows.map((d) => `${d.status} ${d.eventTitle}`);

interface Summary {
  title: string;
  summary: string;
  data: { window: string; held: number; stillOpen: number };
  stewardEvent: { facts: Array<{ name: string; value: string }> };
}

const summaries = (rx: HttpReceiver) => rx.requests.filter((r) => r.path === "/summary").map((r) => JSON.parse(r.body) as Summary);

/**
 * One Steward with these maintenance windows (YAML), on its own manual clock from 09:00 and receivers, started before
 * the describe's tests and stopped after them.
 */
function stewardWith(windows: string): { readonly rx: HttpReceiver; readonly clock: ManualClock; readonly t: TestApp } {
  const rx = startHttpReceiver();
  const dir = createTempDir();
  const clock = createManualClock(START);
  const t = createTestApp(config(rx, windows), { clock, dir: dir.path });
  beforeAll(() => t.app.start());
  afterAll(async () => {
    await t.app.stop();
    dir.remove();
    await rx.stop();
  });
  return { rx, clock, t };
}

describe("escalation and maintenance windows", () => {
  // Each window covers one task, so the cases run side by side on one clock from 09:00.
  const { rx, clock, t } = stewardWith(`maintenance:
  windows:
    - { name: sales-window, start: "${at(10)}", end: "${at(60)}", matcher: { taskNames: ["Sales load"] } }
    - { name: hr-window, start: "${at(10)}", end: "${at(60)}", matcher: { taskNames: ["HR load"] } }
    - { name: finance-window, start: "${at(5)}", end: "${at(20)}", matcher: { taskNames: ["Finance load"] } }
`);

  test("an escalation due inside a window waits for its end, pages once then, and the summary counts each alert once", async () => {
    // 09:00 Sales load fails and the team is paged; HR load too (acknowledged inside its window, below); Finance
    // load's window opens at 09:05 and ends at 09:20, before its escalation.
    const sales = await run(t, "Sales load", "failed", clock.now());
    const hr = await run(t, "HR load", "failed", clock.now());
    const finance = await run(t, "Finance load", "failed", clock.now());
    await waitFor(async () => (await deliveries(t, "team")).filter((d) => d.status === "delivered").length === 3, { what: "the three first pages" });

    // 09:15, inside the window: Sales load fails again; held, and recorded for the summary.
    await clock.set(START + 15 * MIN);
    await run(t, "Sales load", "failed", clock.now());
    expect(titles(await deliveries(t, "team")).filter((s) => s.startsWith("suppressed"))).toEqual(["suppressed Sales load"]);

    // 09:30: Sales load's escalation falls due inside its window: nothing pages; the timer waits for the window's end.
    // Finance load's window ended at 09:20: its escalation pages as usual.
    await clock.set(START + 31 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle)).toEqual(["Finance load"]);
    const waiting = await escalations(t, sales.incident!.id);
    expect(waiting).toMatchObject([{ state: "pending", dueAt: at(60) }]);
    expect(waiting[0]!.reason).toContain("maintenance window sales-window");
    expect((await escalations(t, finance.incident!.id))[0]).toMatchObject({ state: "fired", reason: "sent on route night-phone" });

    // 09:40 HR load is acknowledged inside its window: its escalation stops at the window's end.
    await clock.set(START + 40 * MIN);
    await ack(t, hr.incident!.id);

    // 10:00 the windows end: one summary each; Sales load's escalation pages once, HR load's does not.
    await clock.set(START + 60 * MIN);
    await waitFor(() => summaries(rx).filter((s) => s.data.window === "sales-window" || s.data.window === "hr-window").length === 2, {
      what: "the two windows' summaries",
    });
    const s = summaries(rx).find((x) => x.data.window === "sales-window")!;
    expect(s.title).toBe("Maintenance window sales-window ended: 1 alert held, 1 still open");
    expect(s.summary).toContain("1 alert was held: 1 task.failed.");
    expect(s.summary).toContain("Still open at its end: Sales load (task.failed).");
    const hrSummary = summaries(rx).find((x) => x.data.window === "hr-window");
    expect(hrSummary?.title).toBe("Maintenance window hr-window ended: 0 alerts held");

    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle).sort()).toEqual(["Finance load", "Sales load"]);
    expect((await escalations(t, sales.incident!.id))[0]).toMatchObject({ state: "fired", reason: "sent on route night-phone" });
    expect((await escalations(t, hr.incident!.id))[0]!.state).toBe("stopped");
    expect((await escalations(t, hr.incident!.id))[0]!.reason).toContain("acknowledged");
    await waitFor(async () => (await deliveries(t, "oncall")).every((d) => d.status === "delivered"), { what: "the escalations sent" });
    const paged = rx.requests.filter((r) => r.path === "/oncall").map((r) => (JSON.parse(r.body) as { taskName: string }).taskName);
    expect(paged.sort()).toEqual(["Finance load", "Sales load"]);

    // Finance load's window saw nothing of it (the first page came before it, the escalation after).
    const f = summaries(rx).find((x) => x.data.window === "finance-window");
    expect(f?.summary).toContain("no alert was held");
  });
});

describe("alerts held by a window", () => {
  const { rx, clock, t } = stewardWith(`maintenance:
  windows:
    - { name: stock-window, start: "${at(0)}", end: "${at(20)}", matcher: { taskNames: ["Stock load"] } }
`);

  test("a failure the window held starts no escalation, during the window or after it; the next failure's page does", async () => {
    const stock = await run(t, "Stock load", "failed", clock.now());
    expect(titles(await deliveries(t, "team"))).toEqual(["suppressed Stock load"]);
    await clock.set(START + 20 * MIN);
    await waitFor(() => summaries(rx).some((s) => s.data.window === "stock-window"), { what: "stock-window's summary" });
    const s = summaries(rx).find((x) => x.data.window === "stock-window")!;
    expect(s.title).toBe("Maintenance window stock-window ended: 1 alert held, 1 still open");
    // Nobody was told of it, so nothing escalates: not at 09:30, not after the window.
    await clock.set(START + 90 * MIN);
    expect(await escalations(t, stock.incident!.id)).toEqual([]);
    expect(await deliveries(t, "oncall")).toEqual([]);
    // The next failure after the window pages the team as usual, and that page starts the timer.
    await run(t, "Stock load", "failed", clock.now());
    expect(await escalations(t, stock.incident!.id)).toMatchObject([{ state: "pending" }]);
  });
});

describe("a condition that ended and began again inside a window", () => {
  const { rx, clock, t } = stewardWith(`maintenance:
  windows:
    - { name: budget-window, start: "${at(0)}", end: "${at(50)}", matcher: { taskNames: ["Budget load"] } }
`);

  test("is listed once, as still open; each alert held is counted once", async () => {
    await clock.set(START + 5 * MIN);
    await run(t, "Budget load", "failed", clock.now());
    await clock.set(START + 10 * MIN);
    await run(t, "Budget load", "succeeded", clock.now());
    await clock.set(START + 15 * MIN);
    await run(t, "Budget load", "failed", clock.now());
    await clock.set(START + 50 * MIN);
    await waitFor(() => summaries(rx).length === 1, { what: "budget-window's summary" });
    const s = summaries(rx)[0]!;
    expect(s.summary).toContain("Still open at its end: Budget load (task.failed).");
    expect(s.data.stillOpen).toBe(1);
    expect(s.title).toBe("Maintenance window budget-window ended: 3 alerts held, 1 still open");
    expect(s.summary).toContain("3 alerts were held: 2 task.failed, 1 task.recovered.");
    // "Ended inside" counts the conditions that ended and stayed ended: this one is open at the end, so not counted.
    const facts = Object.fromEntries(s.stewardEvent.facts.map((f) => [f.name, f.value]));
    expect(facts).toMatchObject({ "Ended inside": "0", "Still open": "Budget load (task.failed)" });
    expect(await deliveries(t, "team")).toHaveLength(3);
    expect((await deliveries(t, "team")).every((d) => d.status === "suppressed")).toBe(true);
  });
});

describe("escalation and silences", () => {
  const { clock, t } = stewardWith("");

  const silence = async (taskNames: string[], duration: string): Promise<number> => {
    const res = await t.request("/v4/silences", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matcher: { taskNames }, reason: "DW patching", author: "alice@corp.example", duration }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };

  test("a silenced incident does not escalate while silenced; after the silence, only if still not acknowledged", async () => {
    // 09:00 three tasks fail and the team is paged; at 09:10 a silence covers them, before their escalations.
    const sales = await run(t, "Sales load", "failed", clock.now());
    const hr = await run(t, "HR load", "failed", clock.now());
    const stock = await run(t, "Stock load", "failed", clock.now());
    await clock.set(START + 10 * MIN);
    const id = await silence(["Sales load", "HR load"], "1h");
    const stockSilence = await silence(["Stock load"], "2h");

    // 09:30: due, but silenced: nothing pages, nothing is held to be released later; the timers wait.
    await clock.set(START + 31 * MIN);
    expect(await deliveries(t, "oncall")).toEqual([]);
    const waiting = await escalations(t, sales.incident!.id);
    expect(waiting).toMatchObject([{ state: "pending" }]);
    expect(waiting[0]!.reason).toContain(`silence #${id} (alice@corp.example: DW patching)`);
    expect(((await (await t.request("/v4/silences/suppressed")).json()) as { suppressed: unknown[] }).suppressed).toEqual([]);

    // 09:40 HR load is acknowledged; 09:45 Stock load's silence is ended by hand: its escalation follows within a minute.
    await clock.set(START + 40 * MIN);
    await ack(t, hr.incident!.id);
    await clock.set(START + 45 * MIN);
    expect((await t.request(`/v4/silences/${stockSilence}`, { method: "DELETE" })).status).toBe(200);
    await clock.set(START + 46 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle)).toEqual(["Stock load"]);
    expect((await escalations(t, stock.incident!.id))[0]!.state).toBe("fired");

    // 10:10 the silence ends: Sales load, still open and not acknowledged, pages once; HR load does not.
    await clock.set(START + 71 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle).sort()).toEqual(["Sales load", "Stock load"]);
    expect((await escalations(t, sales.incident!.id))[0]).toMatchObject({ state: "fired", reason: "sent on route night-phone" });
    expect((await escalations(t, hr.incident!.id))[0]!.reason).toContain("acknowledged");
    await clock.set(START + 180 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle).sort()).toEqual(["Sales load", "Stock load"]);
    await waitFor(async () => (await deliveries(t, "oncall")).every((d) => d.status === "delivered"), { what: "the escalations sent" });
  });

  test("an alert a silence held starts no escalation while held; sent when the silence ends, it starts it then", async () => {
    const from = clock.now();
    await silence(["Budget load"], "1h");
    const budget = await run(t, "Budget load", "failed", clock.now());
    await clock.set(from + 45 * MIN);
    expect(await escalations(t, budget.incident!.id)).toEqual([]);
    // The silence ends with the task still failing: its alert goes to the team now, and nobody was told before, so
    // the escalation's 30 minutes count from now.
    await clock.set(from + 61 * MIN);
    expect(titles(await deliveries(t, "team")).filter((x) => x.endsWith("Budget load"))).toEqual([expect.stringMatching(/^(pending|sending|delivered) /)]);
    const armed = await escalations(t, budget.incident!.id);
    expect(armed).toMatchObject([{ state: "pending" }]);
    expect(Date.parse(armed[0]!.dueAt)).toBeGreaterThanOrEqual(from + 90 * MIN);
    await clock.set(from + 89 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle)).not.toContain("Budget load");
    await clock.set(from + 92 * MIN);
    expect((await deliveries(t, "oncall")).map((d) => d.eventTitle)).toContain("Budget load");
  });
});
