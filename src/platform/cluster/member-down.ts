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
 * The members as last read from the store, each heartbeat aged by the time since (on the stepped clock of a
 * simulation and the machine's, whichever moved further): an aged heartbeat is never younger than the real one, so a
 * member alive by this list is alive in the store too, and a look that only needs that sends no statement (issue 78).
 * A member that joined after the read is not in the list: it cannot be silent past its lease before the list is that
 * old (it was heard from after the read), so past that age the list is not given.
 */
export interface AgedMembers {
  /** Reads the members from the store, and keeps them. */
  read(): Promise<readonly ClusterMember[]>;
  /** The list last read with its heartbeats aged; undefined before a read and once the list is as old as the lease. */
  aged(): readonly ClusterMember[] | undefined;
}

export function createAgedMembers(members: () => Promise<readonly ClusterMember[]>, clock: Clock, leaseTtlMs: number): AgedMembers {
  let last: { members: readonly ClusterMember[]; at: number; wallAt: number } | undefined;
  return {
    async read() {
      const at = clock.now();
      const wallAt = wallClock.now();
      const list = await members();
      last = { members: list, at, wallAt };
      return list;
    },
    aged() {
      if (!last) return undefined;
      const elapsed = Math.max(clock.now() - last.at, wallClock.now() - last.wallAt, 0);
      if (elapsed >= leaseTtlMs) return undefined;
      return last.members.map((m) => ({ ...m, heartbeatAgeMs: m.heartbeatAgeMs + elapsed }));
    },
  };
}

/** Whether each of `ids` is certainly alive (listed, and its aged heartbeat within the lease); false when unsure. */
export function stillLive(members: AgedMembers, ids: Iterable<string>, leaseTtlMs: number): boolean {
  const aged = members.aged();
  if (!aged) return false;
  const alive = new Set(aged.filter((m) => m.self || m.heartbeatAgeMs <= leaseTtlMs).map((m) => m.instanceId));
  for (const id of ids) if (!alive.has(id)) return false;
  return true;
}

/**
 * memberMayBeDeaf without a statement while the aged list says no member may be deaf; else on the store's answer.
 * Reconciliation asks every two seconds while the cluster has other members: each ask was a read of the members; now
 * it is one a lease time at most while all are alive, and one each ask while a member is down.
 */
export function createMemberDownCheck(members: AgedMembers, clock: Clock, leaseTtlMs: number): () => Promise<boolean> {
  return async () => {
    const aged = members.aged();
    if (aged && !memberMayBeDeaf(aged, clock.now(), leaseTtlMs)) return false;
    return memberMayBeDeaf(await members.read(), clock.now(), leaseTtlMs);
  };
}
