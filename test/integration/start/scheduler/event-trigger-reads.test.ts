// Event triggers read the schedules once per second at most, not once per task event (a burst read and parsed
// every schedule per event), and a change made through this Steward applies to the very next event.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { StatementSync } from "node:sqlite";
import { createManualClock } from "../../../../src/platform/core/clock";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Counts executions of the schedules read (a spy on node:sqlite's statements, restored afterwards). */
const proto = StatementSync.prototype as unknown as { all: (...a: unknown[]) => unknown };
const originalAll = proto.all;
let scheduleReads = 0;
beforeEach(() => {
  scheduleReads = 0;
  proto.all = function (this: StatementSync, ...a: unknown[]) {
    if (this.sourceSQL.includes("FROM schedules ORDER BY position")) scheduleReads++;
    return originalAll.apply(this, a);
  };
});
let t: TestApp | undefined;
afterEach(async () => {
  proto.all = originalAll;
  await t?.close();
  t = undefined;
});

test("a burst of task events reads the schedules once; a change made here is used by the next event", async () => {
  const clock = createManualClock(Date.parse("2026-03-01T08:00:00Z"));
  t = createTestApp("", { clock });
  await t.app.start();
  const r = await t.request(
    "/v4/schedules",
    json({ name: "after failure", trigger: { on: ["failed"], taskIds: [TASK] }, qlikSenseTaskId: TASK, startupState: "started" }),
  );
  expect(r.status).toBe(201);
  const id = String(((await r.json()) as { id: string }).id);

  const fireAudits = async () =>
    ((await (await t!.request(`/v4/audit?action=schedule.fire&target=${id}`)).json()) as { entries?: unknown[] }).entries?.length ?? 0;
  const before = scheduleReads;
  for (let i = 0; i < 100; i++) await t.app.bus.emit("task.succeeded", syntheticTaskEvent({ outcome: "succeeded" }));
  expect(scheduleReads - before).toBe(1);

  // A failure of the task fires it (the fire is audited; without QRS the start itself fails).
  await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskId: TASK }));
  await waitFor(async () => (await fireAudits()) === 1, { what: "the event-triggered fire in the audit log" });
  expect(scheduleReads - before).toBe(1);

  // Stopped through this Steward: the next failure of the task must not fire it, although a second has not passed.
  expect((await t.request(`/v4/schedules/${id}/stop`, { method: "PUT" })).status).toBeLessThan(300);
  await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskId: TASK }));
  expect(scheduleReads - before).toBe(2);

  // A second later the schedules are read again.
  await clock.advance(1_000);
  await t.app.bus.emit("task.succeeded", syntheticTaskEvent({ outcome: "succeeded" }));
  expect(scheduleReads - before).toBe(3);
  await Bun.sleep(100);
  expect(await fireAudits()).toBe(1);
});
