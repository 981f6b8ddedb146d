// The rule that sends reconciliation into its fast mode: a member dead and not back, or back only a moment ago.
import { expect, test } from "bun:test";
import type { ClusterMember } from "../../../../src/platform/cluster/cluster";
import { memberMayBeDeaf, RESTART_CATCH_UP_MS } from "../../../../src/platform/cluster/member-down";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const LEASE = 3_000;
const member = (instanceId: string, name: string, heartbeatAgeMs: number, startedAgoMs = 3_600_000): ClusterMember => ({
  instanceId,
  name,
  host: "h",
  pid: 1,
  version: "",
  startedAt: new Date(NOW - startedAgoMs).toISOString(),
  lastHeartbeat: new Date(NOW - heartbeatAgeMs).toISOString(),
  heartbeatAgeMs,
  self: false,
});

test("every member alive, none restarted: not deaf", () => {
  expect(memberMayBeDeaf([member("a1", "a", 100), member("b1", "b", 200)], NOW, LEASE)).toBe(false);
});

test("a member silent past its lease and not started again: deaf", () => {
  expect(memberMayBeDeaf([member("a1", "a", 100), member("b1", "b", LEASE + 1)], NOW, LEASE)).toBe(true);
});

test("a killed member started again: deaf for a while after its new start, then not", () => {
  const killed = member("b1", "b", 20_000);
  expect(memberMayBeDeaf([member("a1", "a", 100), killed, member("b2", "b", 100, 5_000)], NOW, LEASE)).toBe(true);
  expect(memberMayBeDeaf([member("a1", "a", 100), killed, member("b2", "b", 100, RESTART_CATCH_UP_MS + 1)], NOW, LEASE)).toBe(false);
});

test("a member that just joined for the first time (no dead instance of its name): not deaf", () => {
  expect(memberMayBeDeaf([member("a1", "a", 100), member("b1", "b", 100, 1_000)], NOW, LEASE)).toBe(false);
});
