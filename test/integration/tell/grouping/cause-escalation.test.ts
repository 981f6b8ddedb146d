// Escalation of a cause's page: the first failure of a source's cause pages the team's route, which escalates after
// 30 minutes; not acknowledged, the page goes to the next route once (with the cause on top), though the grouping
// gate holds the cause's other failures as symptoms. The cause's update (every 15 minutes here) starts no escalation
// of its own: the night phone hears of the cause once. One Steward, SQLite, manual clock, local webhook receivers.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ManualClock } from "../../../../src/platform/core/clock";
import type { CauseSummary } from "../../../../src/platform/events/cause-summary";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type ManualClockApp, startManualClockApp } from "../../../helpers/manual-clock-app";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../notify/receivers";

const MIN = 60_000;
let m: ManualClockApp | undefined;
let rx: HttpReceiver;
let clock: ManualClock;
let t: TestApp;

beforeAll(async () => {
  m = await startManualClockApp(
    Date.parse("2026-11-23T09:00:00Z"),
    (url) => `channels:
  team: { type: webhook, url: "${url}/team" }
  oncall: { type: webhook, url: "${url}/oncall" }
grouping: { updates: { every: 15m } }
routes:
  - { name: team-day, on: [task.failed, task.recovered], to: [team], escalate: { after: 30m, to: night-phone } }
  - { name: night-phone, on: [task.failed], to: [oncall] }
`,
  );
  ({ t, clock, rx } = m);
});

afterAll(() => m?.stop());

async function fail(i: number): Promise<TaskEvent> {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: `Load ${i}`, taskId: `task-${i}`, appName: `App ${i}`, appId: `app-${i}`, nowMs: clock.now() }),
    source: "udp",
  };
  e.errorClass = "connection";
  e.errorLine = "Error: Connection refused (DWH)";
  e.scriptLog = {
    head: ["Execution started.", "LIB CONNECT TO 'DWH'", "Error: Connection refused"],
    tail: [],
    totalLines: 3,
    sizeBytes: 80,
    failureLines: [3],
  };
  const out = await t.app.incidents!.annotate(e);
  for (const x of out) await t.app.bus.emit(x.kind, x);
  return out[0]!;
}

const sent = (path: string) => rx.requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as { taskName: string; cause?: CauseSummary });

test("the cause's page, not acknowledged in 30 minutes, goes to the next route once; its symptoms do not", async () => {
  const first = await fail(1);
  expect(first.errorClass).toBe("connection");
  await fail(2);
  await fail(3);
  await waitFor(() => sent("/team").length === 1, { what: "the cause's page" });
  await clock.advance(16 * MIN);
  await fail(4);
  await waitFor(() => sent("/team").length === 2, { what: "the cause's update" });
  expect(sent("/team")[1]!.cause?.update?.tasks).toEqual(["Load 4"]);
  await clock.advance(60 * MIN);
  await waitFor(() => sent("/oncall").length >= 1, { what: "the escalation" });
  await Bun.sleep(300);
  expect(sent("/oncall").map((p) => `${p.taskName} ${p.cause?.title}`)).toEqual(["Load 1 connection errors from DWH"]);
  // The cause still lists its three tasks, the page's task once.
  const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ affected: { tasks: string[] } }> };
  expect(causes[0]!.affected.tasks).toEqual(["Load 1", "Load 2", "Load 3", "Load 4"]);
});
