// After a store outage every heartbeat is late: a member alive before it stays alive until the store has settled (this
// Steward's own heartbeat back for a lease), then it is dead if it has still not beaten.
import { expect, test } from "bun:test";
import type { ClusterMember } from "../../../../src/platform/cluster/cluster";
import { createLiveMembers } from "../../../../src/platform/cluster/live-members";
import { createStoreReach } from "../../../../src/platform/cluster/store-reach";

const HEARTBEAT = 500;
const LEASE = 3_000;

function member(instanceId: string, heartbeatAgeMs: number, self = false): ClusterMember {
  return { instanceId, name: instanceId, host: "h", pid: 1, version: "", startedAt: "", lastHeartbeat: "", heartbeatAgeMs, self };
}

test("the store's reach: overdue own heartbeat and a lease after it is back are settling; steady beats are not", () => {
  const reach = createStoreReach(HEARTBEAT, LEASE, 0);
  for (let t = 500; t <= 5_000; t += 500) reach.beat(t);
  expect(reach.settling(5_400)).toBe(false);
  // No answer for 5 s (PostgreSQL stopped).
  expect(reach.settling(6_100)).toBe(true);
  reach.beat(10_000);
  expect(reach.settling(10_100)).toBe(true);
  for (let t = 10_500; t <= 12_500; t += 500) reach.beat(t);
  expect(reach.settling(12_900)).toBe(true);
  reach.beat(13_000);
  expect(reach.settling(13_100)).toBe(false);
});

test("a member alive before the outage stays alive while the store settles, and is dead after if still silent", async () => {
  let settling = false;
  let members = [member("b", 0, true), member("a", 200)];
  const live = createLiveMembers(
    async () => members,
    () => settling,
    LEASE,
  );
  expect(await live()).toEqual(["b", "a"]);
  // Back from the outage: this Steward beat first, the other's heartbeat is 6 s old.
  settling = true;
  members = [member("b", 0, true), member("a", 6_000), member("c", 90_000)];
  expect(await live()).toEqual(["b", "a"]);
  // Settled: the other has still not beaten.
  settling = false;
  members = [member("b", 0, true), member("a", 9_000), member("c", 93_000)];
  expect(await live()).toEqual(["b"]);
});

test("a member dead before the outage is not brought back by it", async () => {
  let settling = false;
  let members = [member("b", 0, true), member("a", 10_000)];
  const live = createLiveMembers(
    async () => members,
    () => settling,
    LEASE,
  );
  expect(await live()).toEqual(["b"]);
  settling = true;
  members = [member("b", 0, true), member("a", 16_000)];
  expect(await live()).toEqual(["b"]);
});
