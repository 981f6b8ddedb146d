// Whether a node of the cluster may be deaf now (its datagrams reaching no Steward), so that reconciliation looks at
// QRS every few seconds instead of at its interval: a member silent past its lease, or one killed and started again
// a moment ago (it rejoins the cluster seconds before it listens for datagrams, longer on a busy machine).
import { type Clock, wallClock } from "../core/clock";
import type { ClusterMember } from "./cluster";

/** How long after a killed Steward is started again its node is still treated as deaf. */
export const RESTART_CATCH_UP_MS = 60_000;

export function memberMayBeDeaf(members: readonly ClusterMember[], now: number, leaseTtlMs: number): boolean {
  const alive = members.filter((m) => m.self || m.heartbeatAgeMs <= leaseTtlMs);
  const aliveNames = new Set(alive.map((m) => m.name));
  const dead = members.filter((m) => !alive.includes(m));
  // Killed, and not started again since (a restarted Steward is a new instance under the same name).
  if (dead.some((m) => !aliveNames.has(m.name))) return true;
  // Killed and started again: its new instance has only just joined.
  const deadNames = new Set(dead.map((m) => m.name));
  return alive.some((m) => deadNames.has(m.name) && now - Date.parse(m.startedAt) < RESTART_CATCH_UP_MS);
}

/**
 * memberMayBeDeaf on the members as last read, their heartbeats aged by the time since (on the stepped clock of a
 * simulation and the machine's, whichever moved further): a member's age can only be overstated so, never
 * understated, so "every member alive" needs no statement. Only when that aged list says a member may be deaf is the
 * store read again, and its answer is the one given; and once the list is as old as the lease, as a member that
 * joined since could be silent past it from then on. Reconciliation asks every two seconds while the cluster has
 * other members: each ask was a read of the members; now it is one a lease time (at most) while all are alive, and
 * every ask while one is down.
 */
export function createMemberDownCheck(members: () => Promise<readonly ClusterMember[]>, clock: Clock, leaseTtlMs: number): () => Promise<boolean> {
  let last: { members: readonly ClusterMember[]; at: number; wallAt: number } | undefined;
  const read = async () => {
    const at = clock.now();
    const wallAt = wallClock.now();
    const list = await members();
    last = { members: list, at, wallAt };
    return memberMayBeDeaf(list, clock.now(), leaseTtlMs);
  };
  return async () => {
    if (!last) return read();
    const now = clock.now();
    const elapsed = Math.max(now - last.at, wallClock.now() - last.wallAt, 0);
    // A member that joined since the read is not in the list: it cannot be silent past its lease before the list is
    // that old, as it was heard from after the read.
    if (elapsed >= leaseTtlMs) return read();
    const aged = last.members.map((m) => ({ ...m, heartbeatAgeMs: m.heartbeatAgeMs + elapsed }));
    return memberMayBeDeaf(aged, now, leaseTtlMs) ? read() : false;
  };
}
