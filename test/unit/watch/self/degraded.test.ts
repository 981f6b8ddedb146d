// The degraded watch on a manual clock: a required part that fails two looks in a row is one steward.degraded (an
// error-level log line naming it and what to do), a part that fails once is not news, its recovery one
// steward.recovered; parts that are not required never count; a part a reload removed is no longer a problem.
import { expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createReadiness } from "../../../../src/platform/core/readiness";
import type { SiteEvent } from "../../../../src/platform/events/types";
import { createDegradedWatch, DEGRADED_LOOK_MS } from "../../../../src/watch/self/degraded";

function setup() {
  const clock = createManualClock(Date.parse("2026-11-24T18:00:00Z"));
  const readiness = createReadiness();
  const parts = { qrs: { ok: true, detail: "reachable" }, optional: { ok: false, detail: "never mind" } };
  readiness.register({ name: "qrs", required: true, check: () => parts.qrs });
  const unregister = readiness.register({ name: "optional", required: false, check: () => parts.optional });
  const events: SiteEvent[] = [];
  const lines: Array<{ level: number; msg: string }> = [];
  const log = createLogger({
    level: "info",
    format: "json",
    secrets: createSecretRegistry(),
    write: (l) => lines.push(JSON.parse(l) as { level: number; msg: string }),
  });
  const watch = createDegradedWatch({
    readiness,
    clock,
    log,
    emit: (e) => void events.push(e),
    instance: "QS-NODE1",
    host: "qs-node1",
    formatTime: (ms) => new Date(ms).toISOString(),
  });
  const look = async () => {
    await watch.lookNow();
    clock.advance(DEGRADED_LOOK_MS);
  };
  return { clock, parts, events, lines, watch, look, unregister, readiness };
}

test("a required part failing two looks in a row is one steward.degraded, its recovery one steward.recovered", async () => {
  const s = setup();
  await s.look();
  s.parts.qrs = { ok: false, detail: "QRS answered 401 Unauthorized" };
  await s.look();
  expect(s.events).toEqual([]); // one failed look is not news
  expect(s.watch.state().degraded).toBe(false);
  await s.look();
  await s.look(); // still failing: said once
  expect(s.events.map((e) => [e.kind, e.data.component])).toEqual([["steward.degraded", "qrs"]]);
  const e = s.events[0]!;
  expect(e.title).toBe("Steward on QS-NODE1 is degraded: qrs");
  expect(e.summary).toContain("QRS answered 401 Unauthorized");
  expect(e.summary).toContain("qlik.certDir");
  expect(e.data.since).toBe("2026-11-24T18:01:00.000Z"); // the first failed look
  const state = s.watch.state();
  expect(state.degraded).toBe(true);
  expect(state.problems.map((p) => p.component)).toEqual(["qrs"]);
  const error = s.lines.find((l) => String(l.level) === "error");
  expect(error?.msg).toStartWith("Steward is degraded: qrs fails (QRS answered 401 Unauthorized).");

  s.parts.qrs = { ok: true, detail: "reachable again" };
  await s.look();
  expect(s.events.map((x) => x.kind)).toEqual(["steward.degraded", "steward.recovered"]);
  expect(s.events[1]!.summary).toContain("now: reachable again");
  expect(s.events[1]!.id).not.toBe(s.events[0]!.id);
  expect(s.watch.state()).toEqual({ degraded: false, problems: [] });
});

test("a blip (one failed look between good ones) and a part that is not required raise nothing", async () => {
  const s = setup();
  for (let i = 0; i < 10; i++) {
    s.parts.qrs = i % 2 === 0 ? { ok: false, detail: "timeout" } : { ok: true, detail: "ok" };
    await s.look();
  }
  expect(s.events).toEqual([]);
});

test("a failing part that is removed (a reload dropped it) recovers, and a second episode is a new event", async () => {
  const s = setup();
  s.readiness.register({ name: "mqtt", required: true, check: () => ({ ok: false, detail: "connect ECONNREFUSED" }) });
  await s.look();
  await s.look();
  expect(s.events.map((e) => `${e.kind} ${e.data.component}`)).toEqual(["steward.degraded mqtt"]);
  s.readiness.register({ name: "mqtt", required: true, check: () => ({ ok: true }) });
  await s.look();
  s.readiness.register({ name: "mqtt", required: true, check: () => ({ ok: false, detail: "connect ECONNREFUSED" }) });
  await s.look();
  await s.look();
  expect(s.events.map((e) => `${e.kind} ${e.data.component}`)).toEqual(["steward.degraded mqtt", "steward.recovered mqtt", "steward.degraded mqtt"]);
  expect(new Set(s.events.map((e) => e.id)).size).toBe(3);
});
