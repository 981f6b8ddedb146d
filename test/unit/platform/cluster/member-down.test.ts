// The rule that sends reconciliation into its fast mode: a member dead and not back, or back only a moment ago.
import { expect, test } from "bun:test";
import type { ClusterMember } from "../../../../src/platform/cluster/cluster";
import { createAgedMembers, createMemberDownCheck, memberMayBeDeaf, RESTART_CATCH_UP_MS, stillLive } from "../../../../src/platform/cluster/member-down";
import { createManualClock } from "../../../../src/platform/core/clock";

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

// The check reconciliation makes every two seconds, on the members as last read with their heartbeats aged (issue 78):
// at each check its answer is the one a fresh read of the store would give, and it reads far less often.
test("the check on the list last read answers as a read of the store would, at every check, and reads seldom", async () => {
  const clock = createManualClock(NOW);
  const lease = 180_000;
  const heartbeat = 60_000;
  // The store's members: when each started and last beat (alpha is this Steward).
  const rows = new Map<string, { name: string; startedAt: number; beatAt: number; self: boolean }>([
    ["a1", { name: "alpha", startedAt: NOW, beatAt: NOW, self: true }],
  ]);
  const live = new Set(["a1"]);
  const stored = (): ClusterMember[] =>
    [...rows].map(([id, r]) => ({
      ...member(id, r.name, clock.now() - r.beatAt),
      startedAt: new Date(r.startedAt).toISOString(),
      self: r.self,
    }));
  let reads = 0;
  const members = createAgedMembers(async () => (reads++, stored()), clock, lease);
  const check = createMemberDownCheck(members, clock, lease);
  const answers: boolean[] = [];
  let checks = 0;
  for (let t = 0; t <= 40 * 60_000; t += 2_000) {
    await clock.set(NOW + t);
    // beta joins after the first read (at 1 min), is killed at 10 min and started again as b2 at 20 min.
    if (t === 60_000) rows.set("b1", { name: "beta", startedAt: NOW + t, beatAt: NOW + t, self: false }), live.add("b1");
    if (t === 10 * 60_000) live.delete("b1");
    if (t === 20 * 60_000) rows.set("b2", { name: "beta", startedAt: NOW + t, beatAt: NOW + t, self: false }), live.add("b2");
    for (const id of live) if (NOW + t - rows.get(id)!.beatAt >= heartbeat) rows.get(id)!.beatAt = NOW + t;
    const truth = memberMayBeDeaf(stored(), clock.now(), lease);
    const got = await check();
    expect({ t, got }).toEqual({ t, got: truth });
    // "Still alive" from the aged list is never wrong: each member it says is alive is alive in the store.
    const aliveInStore = new Set(
      stored()
        .filter((m) => m.self || m.heartbeatAgeMs <= lease)
        .map((m) => m.instanceId),
    );
    for (const id of rows.keys()) if (stillLive(members, [id], lease)) expect({ t, id, alive: aliveInStore.has(id) }).toEqual({ t, id, alive: true });
    answers.push(got);
    checks++;
  }
  // Deaf from b1's lease past (13 min) until b2 has run a minute (21 min): every check of that time read the store.
  expect(answers.filter(Boolean).length).toBeGreaterThan(200);
  // The rest of the 40 minutes (about 990 checks) read about once a lease time or when an aged heartbeat passed it.
  expect(reads - answers.filter(Boolean).length).toBeLessThan(40);
  expect(checks).toBe(1_201);
});
