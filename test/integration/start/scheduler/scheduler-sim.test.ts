// Schedules against the Qlik Sense simulator with a manual clock: fires at the exact instant in the
// schedule's time zone, windows and date bounds, event triggers starting a task, and state plus missed
// fires (with catch-up) across a restart on the same data directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml, startsOf, startTestSimulator, TASK_HR, TASK_NIGHTLY, TASK_SALES } from "./sim-setup";

const tmp = createTempDir();
let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator(tmp.path);
});
afterAll(async () => {
  await sim.stop();
  tmp.remove();
});

const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function appAt(name: string, clock: ManualClock, extra = ""): Promise<TestApp> {
  const t = createTestApp(`${qlikYaml(sim)}${extra}`, { dir: join(tmp.path, name), clock });
  await t.app.start();
  return t;
}

function taskEvent(outcome: "failed" | "succeeded", taskId: string, tags: string[], executionId: string): TaskEvent {
  return {
    id: `${executionId}:${outcome}`,
    kind: `task.${outcome}`,
    outcome,
    taskType: "reload",
    source: "test",
    receivedAt: new Date().toISOString(),
    host: "sense1",
    executionId,
    user: "INTERNAL\\sa_scheduler",
    task: { id: taskId, name: "watched", tags, customProperties: [] },
    complete: true,
    missing: [],
  };
}

describe("cron schedules in the simulator", () => {
  test("fires at 06:30 New York time (10:30Z in EDT), not a millisecond earlier, and audits the fire", async () => {
    const clock = createManualClock(Date.parse("2025-03-30T00:00:00Z"));
    const t = await appAt("tz", clock);
    try {
      sim.requests.clear();
      const r = await t.request(
        "/v4/schedules",
        json({ name: "NY morning", cronSchedule: "30 6 * * *", timezone: "America/New_York", qlikSenseTaskId: TASK_SALES, startupState: "started" }),
      );
      expect(r.status).toBe(201);
      const s = (await r.json()) as { id: string; nextRun: string; lastKnownState: string };
      expect(s.nextRun).toBe("2025-03-30T10:30:00.000Z");
      expect(s.lastKnownState).toBe("started");
      await clock.set(Date.parse("2025-03-30T10:29:59.999Z"));
      expect((await t.app.scheduler!.get(s.id))!.lastRun).toBeUndefined();
      expect(startsOf(sim, TASK_SALES)).toBe(0);
      await clock.advance(1);
      await waitFor(async () => (await t.app.scheduler!.get(s.id))!.lastRun, { what: "the fire to be recorded" });
      expect(startsOf(sim, TASK_SALES)).toBe(1);
      expect(await t.app.scheduler!.get(s.id)).toMatchObject({
        nextRun: "2025-03-31T10:30:00.000Z",
        lastRun: { at: "2025-03-30T10:30:00.000Z", reason: "cron", result: "started", taskId: TASK_SALES },
      });
      const fire = await t.app.audit.query({ action: "schedule.fire" });
      expect(fire).toHaveLength(1);
      expect(fire[0]).toMatchObject({ actor: { kind: "schedule", name: s.id }, target: s.id, result: "ok" });
      // The TaskStarter recorded the start with the schedule as its origin.
      expect((await t.app.audit.query({ action: "task.start*", actorName: s.id })).length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  test("hourly 03:00–15:00 Stockholm on one day only: 13 starts, then no next run", async () => {
    const clock = createManualClock(Date.parse("2025-06-01T00:00:00Z"));
    const t = await appAt("window", clock);
    try {
      sim.requests.clear();
      const r = await t.request(
        "/v4/schedules",
        json({
          name: "day shift",
          cronSchedule: "0 * * * *",
          timezone: "Europe/Stockholm",
          qlikSenseTaskId: TASK_HR,
          timeWindow: { from: "03:00", to: "15:00" },
          startDate: "2025-06-02",
          endDate: "2025-06-02",
        }),
      );
      const s = (await r.json()) as { id: string; nextRun: string };
      expect(s.nextRun).toBe("2025-06-02T01:00:00.000Z");
      for (let h = 0; h < 72; h++) await clock.advance(3_600_000);
      await waitFor(() => startsOf(sim, TASK_HR) === 13, { what: "13 task starts" });
      await waitFor(async () => (await t.app.audit.query({ action: "schedule.fire" })).length === 13, { what: "13 audited fires" });
      const times = (await t.app.audit.query({ action: "schedule.fire" })).map((a) => String(a.details!.firedAt)).sort();
      expect(times[0]).toBe("2025-06-02T01:00:00.000Z");
      expect(times[12]).toBe("2025-06-02T13:00:00.000Z");
      expect((await t.app.scheduler!.get(s.id))!.nextRun).toBeNull();
    } finally {
      await t.close();
    }
  });

  test("a timer woken after later fires were due fires once for them and reports them missed; each fire names its occurrence", async () => {
    // A machine too busy (or suspended) to run the timer on time: its callback runs when the clock already says later.
    const inner = createManualClock(Date.parse("2025-02-03T10:00:30Z"));
    let lagMs = 0;
    const clock: ManualClock = { ...inner, now: () => inner.now() + lagMs };
    const t = await appAt("late", clock);
    try {
      sim.requests.clear();
      const r = await t.request("/v4/schedules", json({ name: "every minute", cronSchedule: "* * * * *", timezone: "UTC", qlikSenseTaskId: TASK_SALES }));
      const s = (await r.json()) as { id: string };
      await inner.advance(30_000);
      await waitFor(async () => (await t.app.audit.query({ action: "schedule.fire" })).length === 1, { what: "the on-time fire" });
      lagMs = 150_000;
      await inner.advance(60_000); // the 10:02 timer runs when the clock says 10:04:30: 10:03 and 10:04 are overtaken
      await waitFor(async () => (await t.app.audit.query({ action: "schedule.fire" })).length === 2, { what: "the late fire" });
      const fires = (await t.app.audit.query({ action: "schedule.fire" }))
        .map((a) => a.details)
        .sort((a, b) => String(a!.firedAt).localeCompare(String(b!.firedAt)));
      expect(fires.map((d) => [d!.occurrence, d!.firedAt])).toEqual([
        ["2025-02-03T10:01:00.000Z", "2025-02-03T10:01:00.000Z"],
        ["2025-02-03T10:02:00.000Z", "2025-02-03T10:04:30.000Z"],
      ]);
      expect(startsOf(sim, TASK_SALES)).toBe(2);
      const missed = await t.app.audit.query({ action: "schedule.missed" });
      expect(missed).toHaveLength(1);
      expect(missed[0]!.details).toMatchObject({ count: 2, first: "2025-02-03T10:03:00.000Z", last: "2025-02-03T10:04:00.000Z", caughtUp: false });
      expect(await t.app.scheduler!.get(s.id)).toMatchObject({ nextRun: "2025-02-03T10:05:00.000Z", missed: { count: 2, caughtUp: false } });
    } finally {
      await t.close();
    }
  });

  test("an unknown task id fails the fire visibly (QRS says it does not exist)", async () => {
    const clock = createManualClock(Date.parse("2025-01-01T00:00:00Z"));
    const t = await appAt("unknown", clock);
    try {
      const r = await t.request(
        "/v4/schedules",
        json({ name: "ghost", cronSchedule: "* * * * *", timezone: "UTC", qlikSenseTaskId: "00000000-0000-4000-8000-000000000000" }),
      );
      const s = (await r.json()) as { id: string };
      await clock.advance(60_000);
      const run = await waitFor(async () => (await t.app.scheduler!.get(s.id))!.lastRun);
      expect(run).toMatchObject({ result: "failed", error: expect.stringContaining("does not exist") });
      expect((await t.app.audit.query({ action: "schedule.fire" }))[0]!.result).toBe("failed");
    } finally {
      await t.close();
    }
  });
});

describe("event-triggered schedules", () => {
  test("when a watched task fails (by id or tag), the target task starts in the simulator", async () => {
    const clock = createManualClock(Date.parse("2025-05-05T08:00:00Z"));
    const t = await appAt("events", clock);
    try {
      sim.requests.clear();
      let r = await t.request(
        "/v4/schedules",
        json({ name: "after nightly fails", qlikSenseTaskId: TASK_SALES, trigger: { on: ["failed"], taskIds: [TASK_NIGHTLY] } }),
      );
      expect(r.status).toBe(201);
      const byId = (await r.json()) as { id: string; nextRun: null };
      expect(byId.nextRun).toBeNull();
      r = await t.request(
        "/v4/schedules",
        json({ name: "any finance success", qlikSenseTaskId: TASK_HR, trigger: { on: ["succeeded"], taskTags: ["financial-reports"] } }),
      );
      const byTag = (await r.json()) as { id: string };
      // Outside its time-of-day window (08:00Z now) a trigger does not fire.
      r = await t.request(
        "/v4/schedules",
        json({
          name: "evenings only",
          timezone: "UTC",
          timeWindow: { from: "20:00", to: "21:00" },
          qlikSenseTaskId: TASK_HR,
          trigger: { on: ["failed"], taskIds: [TASK_NIGHTLY] },
        }),
      );
      const evening = (await r.json()) as { id: string };

      // A success of the watched task does not fire the failure trigger.
      await t.app.bus.emit("task.succeeded", taskEvent("succeeded", TASK_NIGHTLY, [], "exec-1"));
      await t.app.bus.emit("task.failed", taskEvent("failed", TASK_NIGHTLY, ["Nightly"], "exec-2"));
      // The same event delivered twice (UDP plus reconciliation) fires once.
      await t.app.bus.emit("task.failed", taskEvent("failed", TASK_NIGHTLY, ["Nightly"], "exec-2"));
      await waitFor(async () => (await t.app.scheduler!.get(byId.id))!.lastRun, { what: "the event fire" });
      expect(startsOf(sim, TASK_SALES)).toBe(1);
      expect((await t.app.scheduler!.get(byId.id))!.lastRun).toMatchObject({ reason: "event", result: "started", eventId: "exec-2:failed" });
      expect((await t.app.audit.query({ action: "task.start*", actorKind: "event-trigger" })).length).toBeGreaterThan(0);

      // Tags match case-insensitively, as in QRS filters.
      await t.app.bus.emit("task.succeeded", taskEvent("succeeded", "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", ["Financial-Reports"], "exec-3"));
      await waitFor(() => startsOf(sim, TASK_HR) === 1, { what: "the tag-triggered start" });

      // A stopped trigger does nothing.
      await t.request(`/v4/schedules/${byId.id}/stop`, { method: "PUT" });
      await t.app.bus.emit("task.failed", taskEvent("failed", TASK_NIGHTLY, [], "exec-4"));
      await Bun.sleep(200);
      expect(startsOf(sim, TASK_SALES)).toBe(1);
      expect((await t.app.scheduler!.get(byTag.id))!.lastRun!.result).toBe("started");
      expect((await t.app.scheduler!.get(evening.id))!.lastRun).toBeUndefined();
      expect(startsOf(sim, TASK_HR)).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe("event trigger loop guard", () => {
  test("a trigger that restarts its own task stops after maxFiresPerHour starts in an hour, and resumes later", async () => {
    const clock = createManualClock(Date.parse("2025-05-06T08:00:00Z"));
    const t = await appAt("loop", clock);
    try {
      sim.requests.clear();
      const r = await t.request(
        "/v4/schedules",
        json({ name: "retry sales forever", qlikSenseTaskId: TASK_SALES, trigger: { on: ["failed"], taskIds: [TASK_SALES], maxFiresPerHour: 2 } }),
      );
      expect(r.status).toBe(201);
      const { id } = (await r.json()) as { id: string };
      for (let i = 1; i <= 4; i++) {
        await t.app.bus.emit("task.failed", taskEvent("failed", TASK_SALES, [], `loop-${i}`));
        await clock.advance(60_000);
      }
      await waitFor(() => startsOf(sim, TASK_SALES) === 2, { what: "two guarded starts" });
      await Bun.sleep(200);
      expect(startsOf(sim, TASK_SALES)).toBe(2);
      const suppressed = await t.app.audit.query({ action: "schedule.suppressed", target: id });
      expect(suppressed).toHaveLength(2);
      expect(suppressed[0]).toMatchObject({ result: "denied", details: { maxFiresPerHour: 2, eventId: "loop-4:failed" } });

      await clock.advance(3_600_000);
      await t.app.bus.emit("task.failed", taskEvent("failed", TASK_SALES, [], "loop-5"));
      await waitFor(() => startsOf(sim, TASK_SALES) === 3, { what: "a start an hour later" });
    } finally {
      await t.close();
    }
  });

  test("maxFiresPerHour out of range is a 400 naming the field", async () => {
    const t = await appAt("loop-bad", createManualClock(Date.parse("2025-05-06T08:00:00Z")));
    try {
      const r = await t.request(
        "/v4/schedules",
        json({ name: "x", qlikSenseTaskId: TASK_SALES, trigger: { on: ["failed"], taskIds: [TASK_SALES], maxFiresPerHour: 0 } }),
      );
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toStartWith("body.trigger.maxFiresPerHour:");
    } finally {
      await t.close();
    }
  });
});

describe("event trigger end to end", () => {
  test("a task failing in the simulator arrives over UDP through the intake and starts the follow-up task", async () => {
    const t = createTestApp(qlikYaml(sim), { dir: join(tmp.path, "e2e") });
    await t.app.start();
    const saved = { targets: sim.settings.udp.targets, duration: sim.settings.timing.durationOverrideMs };
    try {
      sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
      sim.settings.timing.durationOverrideMs = 50;
      const r = await t.request(
        "/v4/schedules",
        json({ name: "retry chain", qlikSenseTaskId: TASK_SALES, trigger: { on: ["failed"], taskTags: ["Nightly"] } }),
      );
      const s = (await r.json()) as { id: string };
      sim.requests.clear();
      const run = sim.tasks.start(TASK_NIGHTLY, { outcome: "fail", durationMs: 50 });
      expect(run.started).toBe(true);
      const last = await waitFor(async () => (await t.app.scheduler!.get(s.id))!.lastRun, {
        timeoutMs: 15_000,
        what: "the trigger to fire from the UDP event",
      });
      expect(last).toMatchObject({ reason: "event", result: "started", taskId: TASK_SALES });
      expect(last.eventId).toContain(run.executionId!);
      expect(startsOf(sim, TASK_SALES)).toBe(1);
    } finally {
      sim.settings.udp.targets = saved.targets;
      sim.settings.timing.durationOverrideMs = saved.duration;
      await t.close();
    }
  });
});

describe("across a restart", () => {
  test("states are kept exactly as left; missed fires are reported and run once where catchUp is set", async () => {
    const clock = createManualClock(Date.parse("2025-02-03T10:10:00Z"));
    const dir = "restart";
    let t = await appAt(dir, clock);
    const create = async (body: Record<string, unknown>) =>
      (await (await t.request("/v4/schedules", json({ timezone: "UTC", cronSchedule: "0 * * * *", ...body }))).json()) as { id: string };
    const a = await create({ name: "A catch up", qlikSenseTaskId: TASK_SALES, catchUp: true });
    const b = await create({ name: "B report only", qlikSenseTaskId: TASK_NIGHTLY });
    const c = await create({ name: "C stopped over the API", qlikSenseTaskId: TASK_HR });
    const d = await create({ name: "D created stopped", qlikSenseTaskId: TASK_HR, startupState: "stopped" });
    await t.request(`/v4/schedules/${c.id}/stop`, { method: "PUT" });
    await t.close();

    await clock.advance(3 * 3_600_000);
    sim.requests.clear();
    t = await appAt(dir, clock);
    try {
      const s = async (id: string) => (await t.app.scheduler!.get(id))!;
      expect([(await s(a.id)).lastKnownState, (await s(b.id)).lastKnownState, (await s(c.id)).lastKnownState, (await s(d.id)).lastKnownState]).toEqual([
        "started",
        "started",
        "stopped",
        "stopped",
      ]);
      expect((await s(a.id)).missed).toMatchObject({
        count: 3,
        capped: false,
        first: "2025-02-03T11:00:00.000Z",
        last: "2025-02-03T13:00:00.000Z",
        caughtUp: true,
      });
      expect((await s(b.id)).missed).toMatchObject({ count: 3, caughtUp: false });
      expect((await s(c.id)).missed).toBeUndefined();
      expect((await s(a.id)).nextRun).toBe("2025-02-03T14:00:00.000Z");
      expect((await s(c.id)).nextRun).toBeNull();
      await waitFor(async () => (await s(a.id)).lastRun, { what: "the catch-up fire" });
      expect((await s(a.id)).lastRun).toMatchObject({ reason: "catch-up", result: "started" });
      expect(startsOf(sim, TASK_SALES)).toBe(1);
      expect(startsOf(sim, TASK_NIGHTLY)).toBe(0);
      expect((await t.app.audit.query({ action: "schedule.missed" })).map((x) => x.target).sort()).toEqual([a.id, b.id].sort());
    } finally {
      await t.close();
    }
  });
});
