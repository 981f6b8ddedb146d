// "Page after N failures within a window" decided from the event alone: held below the threshold, the incident's
// page at the failure that reaches it (listing the held ones), the route's renotify after it, and no recovery for an
// incident that never reached it.
import { describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { type PageAfter, pageAfterFor, pageAfterState } from "../../../../src/tell/notify/page-after";
import { renotifyDecision } from "../../../../src/tell/notify/renotify";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const T0 = Date.parse("2026-11-20T01:00:00Z");
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const three: PageAfter = { failures: 3, withinMs: 60 * MIN, from: "routes.on-call.pageAfter" };

/** A failure at `atMin` minutes after T0, with the task's failures before it, in an incident opened at `openedMin`. */
function failure(atMin: number, earlierMin: number[], openedMin: number, failures: number, kind: TaskEvent["kind"] = "task.failed"): TaskEvent {
  const e = syntheticTaskEvent({ outcome: kind === "task.recovered" ? "succeeded" : "failed", full: false });
  return {
    ...e,
    kind,
    source: "udp",
    execution: { statusCode: 8, status: "FinishedFail", stopTime: iso(T0 + atMin * MIN), details: [] },
    history: {
      consecutiveFailures: failures,
      runsKnown: 10,
      startedBy: { kind: "scheduler", text: "a trigger or task chain" },
      recentFailures: earlierMin.map((m) => iso(T0 + m * MIN)),
    },
    incident: { id: 7, status: kind === "task.recovered" ? "closed" : "open", failures, openedAt: iso(T0 + openedMin * MIN) },
  };
}
const chat = { supportsDigest: true };

describe("pageAfterState", () => {
  test("three failures within an hour: the 1st and 2nd held, the 3rd pages listing them, the 4th follows renotify", () => {
    expect(pageAfterState(three, failure(0, [], 0, 1))).toEqual({ state: "held", count: 1 });
    expect(pageAfterState(three, failure(20, [0], 0, 2))).toEqual({ state: "held", count: 2 });
    expect(pageAfterState(three, failure(40, [0, 20], 0, 3))).toEqual({ state: "reached", held: [T0, T0 + 20 * MIN] });
    expect(pageAfterState(three, failure(60, [0, 20, 40], 0, 4))).toEqual({ state: "after" });
    expect(renotifyDecision("once", failure(40, [0, 20], 0, 3), chat, three)).toEqual({ action: "send" });
    expect(renotifyDecision("once", failure(60, [0, 20, 40], 0, 4), chat, three).action).toBe("suppress");
    expect(renotifyDecision("every", failure(60, [0, 20, 40], 0, 4), chat, three)).toEqual({ action: "send" });
    expect(renotifyDecision("every", failure(20, [0], 0, 2), chat, three)).toEqual({
      action: "suppress",
      reason: "held: 2nd of 3 failures within 1h (routes.on-call.pageAfter); listed in the page if the task gets there",
    });
  });

  test("failures spread wider than the window never page, and their recovery is not sent", () => {
    expect(pageAfterState(three, failure(150, [0, 90], 0, 3))).toEqual({ state: "held", count: 1 });
    expect(pageAfterState(three, failure(100, [0, 90], 0, 3))).toEqual({ state: "held", count: 2 });
    const recovered = failure(160, [0, 90, 150], 0, 3, "task.recovered");
    expect(pageAfterState(three, recovered)).toEqual({ state: "unpaged-recovery" });
    expect(renotifyDecision("once", recovered, chat, three).action).toBe("suppress");
    // A recovery of an incident that did page is sent.
    expect(pageAfterState(three, failure(50, [0, 20, 40], 0, 3, "task.recovered"))).toBeUndefined();
  });

  test("failures of earlier incidents count towards the window (a flapping task)", () => {
    // Failed at 0 and 20 (each followed by a success), fails again at 40: a new incident, its 1st failure, the 3rd in the hour.
    expect(pageAfterState(three, failure(40, [0, 20], 40, 1))).toEqual({ state: "reached", held: [T0, T0 + 20 * MIN] });
  });

  test("a route's own threshold takes the place of the task's; 1 failure is today's behaviour", () => {
    const e = { ...failure(0, [], 0, 1), pageAfter: { failures: 2, withinMs: 60 * MIN, from: "incidents.pageAfter[0]" } };
    expect(pageAfterFor(undefined, e)?.from).toBe("incidents.pageAfter[0]");
    expect(pageAfterFor(three, e)).toBe(three);
    expect(pageAfterState({ ...three, failures: 1 }, e)).toBeUndefined();
  });

  test("a remediation rule's hold outranks a route's own window while its retries are to come, and after they healed it", () => {
    // Issue 101: a route with its own pageAfter paged a failure the rule was still retrying, 18 minutes before it gave up.
    const twoInAnHour: PageAfter = { failures: 2, withinMs: 60 * MIN, from: "routes.on-call.pageAfter" };
    const held = { failures: 3, withinMs: 6 * 60 * MIN, from: "remediation.rules[0]" };
    const second = { ...failure(20, [0], 0, 2), pageAfter: held };
    expect(pageAfterState(twoInAnHour, second)?.state).toBe("reached");
    expect(pageAfterFor(twoInAnHour, second)).toBe(held);
    expect(renotifyDecision("once", second, chat, twoInAnHour).action).toBe("suppress");
    // The retry healed it: the incident was never paged, so its recovery is not sent on the route either.
    const healed = { ...failure(30, [0, 20], 0, 2, "task.recovered"), pageAfter: { ...held, failures: 4 } };
    expect(pageAfterFor(twoInAnHour, healed)).toBe(healed.pageAfter);
    expect(renotifyDecision("once", healed, chat, twoInAnHour).action).toBe("suppress");
    // The rule gave up (its threshold is the failures so far): the route's own window decides, as for any failure.
    const gaveUp = { ...failure(40, [0, 20], 0, 3), pageAfter: { ...held, failures: 3 } };
    expect(pageAfterFor(twoInAnHour, gaveUp)).toBe(twoInAnHour);
  });
});
