// The members of the cluster alive now, for the looks that hand a dead member's work to the others (its sends in
// flight, its claimed runs and reloads). A member is dead when its heartbeat is older than the lease, except while the
// store settles after being out of this Steward's reach (store-reach.ts): then every heartbeat is late, and a member
// alive at the last look before stays alive until it has had a lease to beat again. Before, a member alive through a
// PostgreSQL outage could have its alert in flight sent a second time when its first heartbeat after the outage came
// a little later than the other member's look (inflight-takeover.test.ts, in a loaded CI run).
import type { ClusterMember } from "./cluster";

export function createLiveMembers(read: () => Promise<readonly ClusterMember[]>, settling: () => boolean, leaseTtlMs: number) {
  let aliveBefore: ReadonlySet<string> = new Set();
  return async (): Promise<string[]> => {
    const members = await read();
    const alive = members.filter((m) => m.self || m.heartbeatAgeMs <= leaseTtlMs).map((m) => m.instanceId);
    if (!settling()) {
      aliveBefore = new Set(alive);
      return alive;
    }
    const kept = members.filter((m) => aliveBefore.has(m.instanceId)).map((m) => m.instanceId);
    return [...new Set([...alive, ...kept])];
  };
}
