// "Start the chain again from a task" waits for the node's backed-up Scheduler queue to drain (issue 87), as the re-run
// of the queue's cancelled runs does, on the simulator and a stepped clock shared with Steward. Node Reload01 runs one
// reload at a time. Extract orders ran there at 01:00 and its chain's Load Sales failed after it (its incident open).
// Long A takes the one engine from 01:55 to 02:35; Wait 1 and Wait 2 queue behind it from 02:00, so the watchdog's
// queue look opens "reload queue backed up on reload01". At 02:25 a person asks to start the chain again from Extract
// orders: the action waits (its row says for what) and Steward starts nothing while the queue is backed up; once the
// queue drained and the node's engine is free, Steward starts Extract orders once and its trigger runs Load Sales.
// Before, Steward started it at once, into the full queue.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, MIN, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { startsOf } from "../scheduler/sim-setup";

const EXTRACT = "c4a10000-0000-4000-8000-000000000001";
const SALES = "c4a10000-0000-4000-8000-000000000002";
const SITE = reloadQueueSiteYaml({
  name: "Chain behind a queue",
  engines: 1,
  engineTimeout: 60,
  apps: ["Extract orders", "Load Sales", "Long A", "Wait 1", "Wait 2"],
  tasks: [
    reloadTask("Extract orders", 5, [daily("01:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [after("Extract orders")], `, id: ${SALES}, outcome: fail, scriptError: "Field 'OrderDate' not found"`),
    reloadTask("Long A", 40, [daily("01:55")]),
    reloadTask("Wait 1", 5, [daily("02:00")]),
    reloadTask("Wait 2", 5, [daily("02:00")]),
  ],
});

const dir = createTempDir("steward-chain-queue-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let events: SiteSteward["events"] = [];
type Action = { id: number; status: string; qlikAnswer: string | null; startedAt: string | null; outcome: string | null };
let asked: { status: number; body: { added: boolean; action: Action } };
let startsBeforeDrain = -1;
/** The action as the incident's actions showed it at each minute while the queue was backed up. */
const whileBackedUp: Action[] = [];
let drainedAt = 0;
let incidentId = 0;

const actions = async () => ((await (await t!.request(`/v4/incidents/${incidentId}/actions`)).json()) as { actions: Action[] }).actions;

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
});

beforeAll(async () => {
  s = await startSteppedSite(dir.path, at("00:50"), SITE);
  const { sim, clock } = s;
  ({ t, events } = await startStewardOnSite(s, dir.path, QUIET_LOOKS, at("00:50")));
  await clock.runUntil(at("02:25"));
  const failed = events.find((x) => x.e.kind === "task.failed" && "task" in x.e && x.e.task.id.toLowerCase() === SALES);
  incidentId = (failed?.e as { incident?: { id: number } } | undefined)?.incident?.id ?? 0;
  const res = await t.request(`/v4/incidents/${incidentId}/restart-chain`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ taskId: EXTRACT }),
  });
  asked = { status: res.status, body: (await res.json()) as never };
  // Step on until the queue's cause closed (the watchdog saw the queue empty).
  while (clock.now() < at("03:30") && !events.some((x) => x.e.kind === "task.on_track")) {
    startsBeforeDrain = startsOf(sim, EXTRACT);
    whileBackedUp.push((await actions())[0]!);
    await clock.runUntil(clock.now() + MIN);
  }
  drainedAt = clock.now();
  await clock.runUntil(at("03:40"));
}, 120_000);

test("the night: Load Sales failed after Extract orders, and the queue of reload01 backed up behind Long A", () => {
  expect(incidentId).toBeGreaterThan(0);
  const backlog = events.find((x) => x.e.kind === "scheduler.queue_backlog");
  expect(backlog).toBeDefined();
  expect(backlog!.at).toBeLessThan(at("02:25"));
  expect(drainedAt).toBeGreaterThan(at("02:35"));
});

test("asked while the queue is backed up: the chain's start waits for it to drain, on the incident's actions, and nothing is started", () => {
  expect(asked.status).toBe(202);
  expect(asked.body.action.status).toBe("pending");
  expect(asked.body.action.qlikAnswer).toContain("waiting for the Scheduler queue of reload01.test.example to drain");
  expect(startsBeforeDrain).toBe(0);
  // While it waits, the worker's look says what for: the queue and the node's one engine (issue 101).
  expect(whileBackedUp.every((a) => a.status === "pending")).toBe(true);
  expect(whileBackedUp.map((a) => a.qlikAnswer)).toContain(
    "waiting for the Scheduler queue of reload01.test.example to drain (2 runs waiting) and for a free engine there: 1 of 1 busy",
  );
});

test("once the queue drained, Steward started Extract orders once and the chain ran on", async () => {
  expect(startsOf(s!.sim, EXTRACT)).toBe(1);
  const [a] = await actions();
  expect(a).toMatchObject({ status: "ended", outcome: "succeeded" });
  expect(Date.parse(a!.startedAt!)).toBeGreaterThanOrEqual(drainedAt - MIN);
  expect(a!.qlikAnswer).toContain("once reload01.test.example had a free engine (0 of 1 busy, none waiting)");
  const again = s!.finished.filter((r) => r.task === "Load Sales" && r.startMs > at("02:25"));
  expect(again.length).toBe(1);
});
