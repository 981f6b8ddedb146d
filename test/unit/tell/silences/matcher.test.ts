// Silence matchers against every event family: task, app, stream and tag globs, nodes by short or DNS name, kinds
// and the on-premise / Qlik Cloud source; and the condition an event opens or closes.
import { cpuMsOf } from "../../../helpers/cpu-cost";
import { describe, expect, test } from "bun:test";
import { syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { conditionOf } from "../../../../src/tell/silences/condition";
import { matchesSilence, SilenceMatcherSchema } from "../../../../src/tell/silences/matcher";

const m = (x: unknown) => SilenceMatcherSchema.parse(x);

describe("silence matchers", () => {
  const failed = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Sales - load", host: "qlik2.corp.example" }) };
  failed.task = { ...failed.task, tags: ["Nightly"] };
  failed.app = { ...failed.app!, name: "Sales dashboard", stream: "Finance", tags: ["Critical"] };

  test("every field given must match; within a field any value; names are case-insensitive globs", () => {
    expect(matchesSilence(m({ taskNames: ["sales*"] }), failed)).toBe(true);
    expect(matchesSilence(m({ taskNames: ["HR*", "*load"] }), failed)).toBe(true);
    expect(matchesSilence(m({ taskNames: ["Sales"] }), failed)).toBe(false);
    expect(matchesSilence(m({ appNames: ["Sales dash*"], streams: ["finance"] }), failed)).toBe(true);
    expect(matchesSilence(m({ appNames: ["Sales dash*"], streams: ["Everyone"] }), failed)).toBe(false);
    expect(matchesSilence(m({ tags: ["nightly"] }), failed)).toBe(true);
    expect(matchesSilence(m({ tags: ["critical"] }), failed)).toBe(true);
    expect(matchesSilence(m({ tags: ["weekly"] }), failed)).toBe(false);
    expect(matchesSilence(m({ taskIds: [failed.task.id.toUpperCase()] }), failed)).toBe(true);
    expect(matchesSilence(m({ appIds: [failed.app!.id] }), failed)).toBe(true);
    expect(matchesSilence(m({ kinds: ["task.*"] }), failed)).toBe(true);
    expect(matchesSilence(m({ kinds: ["task.missed"] }), failed)).toBe(false);
  });

  test("nodes by short or DNS name; source on-premise or cloud", () => {
    expect(matchesSilence(m({ nodes: ["qlik2"] }), failed)).toBe(true);
    expect(matchesSilence(m({ nodes: ["qlik1"] }), failed)).toBe(false);
    expect(matchesSilence(m({ source: "on-premise" }), failed)).toBe(true);
    expect(matchesSilence(m({ source: "cloud" }), failed)).toBe(false);
    expect(matchesSilence(m({ source: "cloud" }), { ...failed, source: "cloud" })).toBe(true);
    expect(matchesSilence(m({ source: "cloud" }), syntheticSiteEvent("qlikcloud.key_rejected"))).toBe(true);
  });

  test("a task or app filter never matches an event without a task or app", () => {
    const svc = syntheticServiceEvent({ state: "stopped", host: "qlik2" });
    expect(matchesSilence(m({ taskNames: ["*"] }), svc)).toBe(false);
    expect(matchesSilence(m({ nodes: ["qlik2"] }), svc)).toBe(true);
    expect(matchesSilence(m({ kinds: ["service.*"] }), svc)).toBe(true);
  });

  test("an empty matcher is refused; kinds: ['*'] is how to silence everything", () => {
    expect(SilenceMatcherSchema.safeParse({}).success).toBe(false);
    expect(SilenceMatcherSchema.safeParse({ taskNames: [] }).success).toBe(false);
    expect(matchesSilence(m({ kinds: ["*"] }), syntheticSiteEvent("license.expiring"))).toBe(true);
  });
});

describe("conditions", () => {
  test("a failure opens its task's condition and the next success closes it; watchdog, service events alike; site events are moments", () => {
    const f = syntheticTaskEvent({ outcome: "failed", taskId: "T1" });
    const s = syntheticTaskEvent({ outcome: "succeeded", taskId: "t1" });
    const r = syntheticTaskEvent({ kind: "task.recovered", taskId: "T1" });
    expect(conditionOf(f)).toEqual({ key: "task:t1", role: "opens" });
    expect(conditionOf(s)).toEqual({ key: "task:t1", role: "closes" });
    expect(conditionOf(r)).toEqual({ key: "task:t1", role: "closes" });
    expect(conditionOf(syntheticTaskEvent({ kind: "task.warning" }))).toBeUndefined();
    const missed = syntheticWatchdogEvent("task.missed");
    expect(conditionOf(missed)).toEqual({ key: `watch:${missed.condition.key}`, role: "opens" });
    expect(conditionOf(syntheticServiceEvent({ state: "stopped", host: "Q1", service: "QlikSenseSchedulerService" }))).toEqual({
      key: "service:q1|qliksenseschedulerservice",
      role: "opens",
    });
    expect(conditionOf(syntheticServiceEvent({ state: "started", host: "q1", service: "QlikSenseSchedulerService" }))?.role).toBe("closes");
    expect(conditionOf(syntheticSiteEvent("license.expiring"))).toBeUndefined();
  });
});

describe("pathological matchers", () => {
  test("a name pattern with many stars is refused (it would backtrack on long names)", () => {
    const r = SilenceMatcherSchema.safeParse({ taskNames: [`${"a*".repeat(20)}b`] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("at most 8 *");
    const ok = m({ taskNames: ["*Sales*load*"] });
    const event = syntheticTaskEvent({ taskName: `${"x".repeat(10_000)}` });
    const { value, cpuMs } = cpuMsOf(() => matchesSilence(ok, event));
    expect(value).toBe(false);
    expect(cpuMs).toBeLessThan(200);
  });
});

describe("a snooze's matcher (incidentIds)", () => {
  const base = syntheticTaskEvent({ outcome: "failed", taskName: "Sales load" });
  const open = { ...base, incident: { id: 7, status: "open" as const, failures: 2, openedAt: base.receivedAt } };

  test("covers its incident while it is open, not its recovery, not another incident, not events without one", () => {
    expect(matchesSilence(m({ incidentIds: [7] }), open)).toBe(true);
    expect(matchesSilence(m({ incidentIds: [8] }), open)).toBe(false);
    expect(matchesSilence(m({ incidentIds: [7] }), { ...open, kind: "task.recovered", incident: { ...open.incident, status: "closed" } })).toBe(false);
    expect(matchesSilence(m({ incidentIds: [7] }), base)).toBe(false);
    expect(matchesSilence(m({ incidentIds: [7] }), syntheticServiceEvent())).toBe(false);
    expect(SilenceMatcherSchema.safeParse({ incidentIds: [0] }).success).toBe(false);
  });
});
