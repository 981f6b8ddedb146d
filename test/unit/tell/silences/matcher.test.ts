// Silence matchers against every event family: task, app, stream and tag globs, nodes by short or DNS name, kinds
// and the on-premise / Qlik Cloud source; and the condition an event opens or closes.
import { cpuMsOf } from "../../../helpers/cpu-cost";
import { describe, expect, test } from "bun:test";
import { syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { conditionOf } from "../../../../src/tell/silences/condition";
import { matchesSilence, SilenceMatcherSchema } from "../../../../src/tell/silences/matcher";
import { type GlobCost, globMatch } from "../../../../src/platform/core/glob";

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
    const name = "x".repeat(10_000);
    expect(matchesSilence(ok, syntheticTaskEvent({ taskName: name }))).toBe(false);
    // Counted steps, not time: linear in the name and the pattern (a backtracking match is not).
    const cost: GlobCost = { steps: 0 };
    expect(globMatch("*Sales*load*", name, cost)).toBe(false);
    expect(cost.steps).toBeLessThanOrEqual(2 * (name.length + "*Sales*load*".length));
  });
});

/** The textbook glob match by dynamic programming over (pattern position, name position): slow, obviously right. */
function referenceGlob(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let row = new Array<boolean>(n.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(n.length + 1).fill(false);
    if (c === "*") {
      next[0] = row[0] ?? false;
      for (let j = 1; j <= n.length; j++) next[j] = (row[j] ?? false) || (next[j - 1] ?? false);
    } else for (let j = 1; j <= n.length; j++) next[j] = (row[j - 1] ?? false) && n[j - 1] === c;
    row = next;
  }
  return row[n.length] ?? false;
}

describe("glob matching is linear in the name (a silence of 50 pathological patterns)", () => {
  // 408 characters of short words, as in the attack: every star has hundreds of places to stop.
  const name = `${"a ".repeat(200)}load~1`;
  const shapes = [
    (k: number) => `${"* ".repeat(8).trimEnd()}~${k % 10}`, // the attack's shape: never matches unless ~1
    (k: number) => `${"*a".repeat(8)}${k % 2 ? "~1" : "~2"}`,
    (k: number) => `a*${" a*".repeat(6)}${k % 3 ? "load~1" : "load~9"}`,
    (k: number) => `*${"a a ".repeat(k % 5)}*${"a".repeat(1 + (k % 4))}*~1`,
    (k: number) => `${"A ".repeat(k % 7)}*a a*a a*a a*a*LOAD*${k % 2 ? "" : "x"}`,
  ];
  const patterns = Array.from({ length: 50 }, (_, k) => shapes[k % shapes.length]!(k));

  test("each of 50 patterns answers as the reference does, alone and as one silence", () => {
    const event = syntheticTaskEvent({ outcome: "failed", taskName: name });
    const expected = patterns.map((p) => referenceGlob(p, name));
    expect(expected.filter(Boolean).length).toBeGreaterThan(5);
    expect(expected.filter((x) => !x).length).toBeGreaterThan(5);
    for (const [i, p] of patterns.entries()) {
      expect([p, globMatch(p, name)]).toEqual([p, expected[i]!]);
      expect([p, matchesSilence(m({ taskNames: [p] }), event)]).toEqual([p, expected[i]!]);
    }
    const misses = patterns.filter((_, i) => !expected[i]);
    expect(matchesSilence(m({ taskNames: misses }), event)).toBe(false);
    expect(matchesSilence(m({ taskNames: [...misses.slice(0, 49), patterns[expected.indexOf(true)]!] }), event)).toBe(true);
  });

  test("short names and stars anywhere agree with the reference", () => {
    const names = ["", "a", "ab", "aba", "abab", "ba", "Sales - load", "**", "a*b"];
    const pats = ["*", "**", "a", "a*", "*a", "*a*", "a*a", "ab*ab", "*b*a*", "a**b", "sales*", "*LOAD", "*-*", "x*"];
    for (const p of pats) for (const n of names) expect([p, n, globMatch(p, n)]).toEqual([p, n, referenceGlob(p, n)]);
  });

  test("the work is bounded by the name's and patterns' lengths: counted steps, and CPU time far below a backtracking match", () => {
    const cost: GlobCost = { steps: 0 };
    for (const p of patterns) globMatch(p, name, cost);
    const bound = patterns.reduce((sum, p) => sum + 2 * (name.length + p.length), 0);
    expect(cost.steps).toBeLessThanOrEqual(bound);
    // 100 events against all 50 patterns as one silence; a backtracking match took ~38 s for one such event.
    const silence = m({ taskNames: patterns.filter((p) => !referenceGlob(p, name)) });
    const event = syntheticTaskEvent({ outcome: "failed", taskName: name });
    const { value, cpuMs } = cpuMsOf(() => Array.from({ length: 100 }, () => matchesSilence(silence, event)));
    expect(value.every((v) => v === false)).toBe(true);
    expect(cpuMs).toBeLessThan(1000);
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

describe("a cause's snooze (causeIds)", () => {
  const cause = (id: number, status: "open" | "closed") => ({
    id,
    title: "Qlik services down on qlik2",
    status,
    text: "",
    tasks: [],
    apps: [],
    streams: [],
    counts: { tasks: 0, apps: 0, streams: 0 },
    stillFailing: 0,
  });
  const stopped = syntheticServiceEvent({ state: "stopped", host: "qlik2.corp.example" });
  const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Sales load", host: "qlik2.corp.example" });

  test("covers any kind of alert the grouping put in the open cause, not its recovered page, another cause's or one with none", () => {
    expect(matchesSilence(m({ causeIds: [3] }), { ...stopped, cause: cause(3, "open") })).toBe(true);
    expect(matchesSilence(m({ causeIds: [3] }), { ...failed, cause: cause(3, "open") })).toBe(true);
    expect(matchesSilence(m({ causeIds: [3] }), { ...stopped, kind: "service.started", cause: cause(3, "closed") })).toBe(false);
    expect(matchesSilence(m({ causeIds: [3] }), { ...stopped, cause: cause(4, "open") })).toBe(false);
    expect(matchesSilence(m({ causeIds: [3] }), stopped)).toBe(false);
    expect(SilenceMatcherSchema.safeParse({ causeIds: [0] }).success).toBe(false);
  });
});
