// Whether a node of the cluster may be deaf now (its datagrams reaching no Steward), so that reconciliation looks at
// QRS every few seconds instead of at its interval: a member silent past its lease, or one killed and started again
// a moment ago (it rejoins the cluster seconds before it listens for datagrams, longer on a busy machine).
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
