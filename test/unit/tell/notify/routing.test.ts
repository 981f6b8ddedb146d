// Route filters: each present filter must match, any listed value matches, and a miss names its reason.
import { describe, expect, test } from "bun:test";
import { RouteSchema } from "../../../../src/tell/notify/config";
import { matchRoute } from "../../../../src/tell/notify/routing";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const r = (extra: Record<string, unknown>) => RouteSchema.parse({ on: ["task.failed", "service.stopped"], to: ["x"], ...extra });
const failed = () => syntheticTaskEvent({ outcome: "failed", taskName: "Sales ETL daily", appName: "Sales" });

describe("matchRoute", () => {
  test("kind", () => {
    expect(matchRoute(r({}), failed()).matched).toBe(true);
    expect(matchRoute(r({}), syntheticTaskEvent({ outcome: "aborted" }))).toEqual({
      matched: false,
      reason: "on: task.aborted is not in [task.failed, service.stopped]",
    });
  });

  test.each([
    [{ taskTypes: ["reload"] }, true],
    [{ taskTypes: ["distribute", "preload"] }, false],
    [{ outcomes: ["failed"] }, true],
    [{ taskNames: ["sales*"] }, true],
    [{ taskNames: ["*weekly"] }, false],
    [{ taskTags: ["nightly"] }, true],
    [{ taskTags: ["Weekly"] }, false],
    [{ appTags: ["certified"] }, true],
    [{ streams: ["Finance", "HR"] }, true],
    [{ streams: ["HR"] }, false],
    [{ taskCustomProperties: [{ name: "steward_alert", value: "YES" }] }, true],
    [{ taskCustomProperties: [{ name: "Steward_Alert", value: "No" }] }, false],
    [{ appCustomProperties: [{ name: "x", value: "y" }] }, false],
    [{ hosts: ["SENSE1.corp.example"] }, true],
    [{ sources: ["udp", "reconcile"] }, false],
    [{ services: ["QlikSenseEngineService"] }, false],
    [{ taskTypes: ["reload"], taskTags: ["Finance"], streams: ["Finance"] }, true],
    [{ taskTypes: ["reload"], taskTags: ["Finance"], streams: ["HR"] }, false],
  ])("%j → %p", (filters, expected) => {
    expect(matchRoute(r(filters), failed()).matched).toBe(expected);
  });

  test("app filters on a task without an app", () => {
    const e = syntheticTaskEvent({ outcome: "failed", taskType: "userSync" });
    expect(matchRoute(r({ appIds: ["x"] }), e)).toEqual({ matched: false, reason: "appIds: the task has no app is not listed" });
  });

  test("service events: services and hosts filters; task filters never match them", () => {
    const s = syntheticServiceEvent({ state: "stopped", service: "QlikSenseEngineService" });
    expect(matchRoute(r({ services: ["qliksenseengineservice"] }), s).matched).toBe(true);
    expect(matchRoute(r({ services: ["QlikSenseProxyService"] }), s).reason).toBe('services: "QlikSenseEngineService" is not listed');
    expect(matchRoute(r({ taskTypes: ["reload"] }), s).reason).toBe("taskTypes: a service event has no task");
  });

  test("disabled route", () => {
    expect(matchRoute(r({ enabled: false }), failed())).toEqual({ matched: false, reason: "route is disabled" });
  });
});
