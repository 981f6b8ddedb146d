// Which failed reloads outside the Scheduler are alerted (engineReloads.alertFor, alwaysUsers, ignoreUsers), and the
// Scheduler's account telling its reloads apart without asking QRS. The QRS half: test/integration/hear/engine.
import { describe, expect, test } from "bun:test";
import { engineReloadsSchema } from "../../../../src/hear/engine/config";
import { createReloadJudge } from "../../../../src/hear/engine/reload-judge";
import type { FinishedReload } from "../../../../src/hear/engine/reload-tracker";

const judgeOf = (cfg: object = {}) => createReloadJudge(engineReloadsSchema().parse(cfg), { timeoutMs: 1_000 });
const run = (user: string, proxySessionId = "0"): FinishedReload => ({
  key: "k",
  node: "sense2",
  appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  sessionId: "s",
  user,
  proxySessionId,
  endMs: 0,
  outcome: "failed",
  lines: [],
  loggers: [],
});

describe("by default", () => {
  const j = judgeOf({ serviceAccounts: ["INTERNAL\\*", "CORP\\svc_*"] });
  test.each([
    ["a person's reload of a published app", "CORP\\bob", true, true],
    ["a developer's reload of an unpublished app", "CORP\\anna", false, false],
    ["a service account's reload of an unpublished app", "CORP\\svc_etl", false, true],
    ["Qlik's own account (INTERNAL\\sa_api)", "INTERNAL\\sa_api", false, true],
    ["a session that names no user", "", false, true],
    ["an app QRS could not read: alerted rather than missed", "CORP\\anna", undefined, true],
  ] as const)("%s", (_what, user, published, alert) => {
    expect(j.alertFor(user, published).alert).toBe(alert);
  });
  test("the reason names the key that decided", () => {
    expect(j.alertFor("CORP\\anna", false).reason).toContain("engineReloads.alertFor.developers is off");
    expect(j.alertFor("CORP\\bob", true).reason).toContain("engineReloads.alertFor.publishedApps");
  });
});

test("the admin's choice: developers on, published apps off; alwaysUsers before ignoreUsers; globs case-insensitive", () => {
  const j = judgeOf({ alertFor: { developers: true, publishedApps: false }, alwaysUsers: ["corp\\boss"], ignoreUsers: ["CORP\\*"] });
  expect(j.alertFor("CORP\\Boss", true).alert).toBe(true);
  expect(j.alertFor("CORP\\anna", false).alert).toBe(false);
  expect(judgeOf({ alertFor: { developers: true, publishedApps: false } }).alertFor("CORP\\anna", false).alert).toBe(true);
  expect(judgeOf({ alertFor: { publishedApps: false } }).alertFor("CORP\\bob", true)).toEqual({
    alert: false,
    reason: "a published app, but engineReloads.alertFor.publishedApps is off",
  });
});

test("the Scheduler's account decides at once, whatever the session; another account is not the Scheduler's without QRS", async () => {
  const j = judgeOf({ schedulerUsers: ["INTERNAL\\sa_scheduler", "CORP\\qlik_svc"] });
  expect(await j.bySchedulerOf(run("internal\\SA_SCHEDULER"))).toContain("Scheduler's account");
  expect(await j.bySchedulerOf(run("CORP\\qlik_svc", "77"))).toContain("Scheduler's account");
  expect(await j.bySchedulerOf(run("CORP\\bob"))).toBeUndefined();
});
