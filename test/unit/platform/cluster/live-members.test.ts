// After a store outage every heartbeat is late: a member alive before it stays alive until the store has settled (this
// Steward's own heartbeat back for a lease), then it is dead if it has still not beaten.
import { expect, test } from "bun:test";
import type { ClusterMember } from "../../../../src/platform/cluster/cluster";
import { createLiveMembers } from "../../../../src/platform/cluster/live-members";
import { createStoreReach } from "../../../../src/platform/cluster/store-reach";

const LEASE = 3_000;

function member(instanceId: string, heartbeatAgeMs: number, self = false): ClusterMember {
  return { instanceId, name: instanceId, host: "h", pid: 1, version: "", startedAt: "", lastHeartbeat: "", heartbeatAgeMs, self };
}

test("the store's reach: failing or not answering for half a lease, and a lease after, is settling; late beats are not", () => {
  const reach = createStoreReach(LEASE);
  // A loaded machine: heartbeats 1.4 s apart, each answered at once.
  for (let t = 0; t <= 7_000; t += 1_400) {
    reach.sending(t);
    reach.answered(t, t + 50);
    expect(reach.settling(t + 1_300)).toBe(false);
  }
  // PostgreSQL stopped: the heartbeat sent at 10 s hangs.
  reach.sending(10_000);
  expect(reach.settling(11_000)).toBe(false);
  expect(reach.settling(11_600)).toBe(true);
  reach.answered(10_000, 15_000);
  expect(reach.settling(17_900)).toBe(true);
  expect(reach.settling(18_100)).toBe(false);
  // PostgreSQL refusing connections: settling until a lease after the first answer.
  reach.sending(20_000);
  reach.failed();
  expect(reach.settling(20_100)).toBe(true);
  reach.sending(21_000);
  reach.answered(21_000, 21_050);
  expect(reach.settling(23_900)).toBe(true);
  expect(reach.settling(24_100)).toBe(false);
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

test("after an outage the store settles for a lease and a connection attempt: a member whose attempt began just before the store came back is not taken for dead", () => {
  const CONNECT = 2_000;
  const reach = createStoreReach(LEASE, CONNECT);
  reach.sending(0);
  reach.failed();
  reach.sending(5_000);
  reach.answered(5_000, 5_050);
  // The other member's attempt to connect, begun at 4.9 s, gives up at 6.9 s; its next beat lands at 8.4 s: more than
  // a lease after this Steward's, within a lease and a connection attempt.
  expect(reach.settling(8_400)).toBe(true);
  expect(reach.settling(10_000)).toBe(true);
  expect(reach.settling(10_100)).toBe(false);
});
