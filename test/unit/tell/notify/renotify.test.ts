// Per-route renotify of an open incident: once (the default), every failure, the 1st and every n-th, or the 1st then a digest per
// incident; recoveries, warnings and data sinks are never held back.
import { describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { renotifyDecision } from "../../../../src/tell/notify/renotify";

const failure = (n: number, status: "open" | "closed" = "open"): TaskEvent => ({
  ...syntheticTaskEvent({ outcome: "failed", full: false }),
  source: "udp",
  incident: { id: 42, status, failures: n, openedAt: "2026-11-20T01:00:00.000Z" },
});
const chat = { supportsDigest: true };

describe("renotifyDecision", () => {
  test("once (the default): the 1st failure pages, later ones of the open incident update it; a closed incident's next failure pages", () => {
    expect(renotifyDecision("once", failure(1), chat)).toEqual({ action: "send" });
    for (const n of [2, 3, 9]) expect(renotifyDecision("once", failure(n), chat).action).toBe("suppress");
    expect(renotifyDecision("once", failure(3), chat)).toEqual({
      action: "suppress",
      reason: "renotify: incident 42 paged at its 1st failure and is still open; this 3rd failure updates it (renotify: every pages each one)",
    });
    expect(renotifyDecision("once", { ...failure(3, "closed"), kind: "task.recovered" }, chat)).toEqual({ action: "send" });
    expect(renotifyDecision("once", failure(2), { supportsDigest: false, dataSink: true })).toEqual({ action: "send" });
  });

  test("a failed attempt the Scheduler retries (QRS: Retry) is never paged, on any route; the final failure is", () => {
    const attempt: TaskEvent = { ...failure(1), execution: { statusCode: 10, status: "Retry", details: [] } };
    for (const mode of ["once", "every", { nth: 2 }] as const) expect(renotifyDecision(mode, attempt, chat).action).toBe("suppress");
    expect(renotifyDecision("every", attempt, { supportsDigest: false, dataSink: true })).toEqual({ action: "send" });
    const final: TaskEvent = { ...failure(1), execution: { statusCode: 8, status: "FinishedFail", details: [] } };
    expect(renotifyDecision("every", final, chat)).toEqual({ action: "send" });
  });

  test("once: an incident nobody was told of yet (its alerts held by a window, a silence) pages at its next failure", () => {
    const unpaged: TaskEvent = { ...failure(2), incident: { ...failure(2).incident!, paged: false } };
    expect(renotifyDecision("once", unpaged, chat)).toEqual({ action: "send" });
    const paged: TaskEvent = { ...failure(2), incident: { ...failure(2).incident!, paged: true } };
    expect(renotifyDecision("once", paged, chat).action).toBe("suppress");
  });

  test("a test alert always goes, whatever the route says", () => {
    const test: TaskEvent = { ...failure(3), source: "test" };
    for (const mode of ["once", { nth: 2 }] as const) expect(renotifyDecision(mode, test, chat)).toEqual({ action: "send" });
  });

  test("every: every failure", () => {
    for (const n of [1, 2, 3]) expect(renotifyDecision("every", failure(n), chat)).toEqual({ action: "send" });
  });

  test("nth: the 1st, then every n-th", () => {
    const sent = [1, 2, 3, 4, 5, 6, 7].filter((n) => renotifyDecision({ nth: 3 }, failure(n), chat).action === "send");
    expect(sent).toEqual([1, 3, 6]);
    expect(renotifyDecision({ nth: 3 }, failure(4), chat)).toEqual({
      action: "suppress",
      reason: "renotify: incident 42 notifies on the 1st failure and every 3rd; this is the 4th",
    });
  });

  test("digest: the 1st at once, the rest into the incident's digest; channels without digests get the 1st only", () => {
    expect(renotifyDecision({ digest: 3_600_000 }, failure(1), chat)).toEqual({ action: "send" });
    expect(renotifyDecision({ digest: 3_600_000 }, failure(2), chat)).toEqual({ action: "group", groupKey: "incident:42", windowMs: 3_600_000 });
    expect(renotifyDecision({ digest: 3_600_000 }, failure(2), { supportsDigest: false }).action).toBe("suppress");
  });

  test("data sinks, recoveries, warnings and events without an open incident always go", () => {
    expect(renotifyDecision({ nth: 3 }, failure(2), { supportsDigest: false, dataSink: true })).toEqual({ action: "send" });
    expect(renotifyDecision({ nth: 3 }, { ...failure(2, "closed"), kind: "task.recovered" }, chat)).toEqual({ action: "send" });
    expect(renotifyDecision({ nth: 3 }, { ...failure(2), kind: "task.warning" }, chat)).toEqual({ action: "send" });
    expect(renotifyDecision({ nth: 3 }, syntheticTaskEvent({ outcome: "failed", full: false }), chat)).toEqual({ action: "send" });
  });
});
