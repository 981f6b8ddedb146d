// Run claims on a store only one process can open (the SQLite file, held with an exclusive lock). A claim keeps two
// paths of one Steward (a datagram and its repeat, a datagram and reconciliation) from both announcing a run; with
// one process on the store it needs no row, so it lives here and a run costs one write, its seen mark. A killed
// process loses these claims, which is what a restart did to the claim rows of the instance before it (they were
// dropped at start). Every intake store opened on the same connection shares one table, as rows would be shared.
import type { SqlDb } from "../../platform/store/sql";

interface Claim {
  executionId: string;
  instanceId: string;
  expiresAt: number;
}

export interface ProcessClaims {
  /** Takes the key when no unexpired claim holds it; the caller still checks the stored marks. */
  take(key: string, executionId: string, instanceId: string, expiresAt: number, now: number): boolean;
  /** Removes the key's claim (given up, or its seen mark is committed). */
  drop(key: string): void;
  holds(key: string, now: number): boolean;
  holdsExecution(executionId: string, now: number): boolean;
  /** Drops the claims of every instance but these; returns how many. */
  dropExcept(instanceIds: readonly string[]): number;
  /** Forgets expired claims; returns how many. */
  purge(now: number): number;
}

const byConnection = new WeakMap<SqlDb, ProcessClaims>();

/** The claims of everything opened on `db` in this process. */
export function processClaimsOf(db: SqlDb): ProcessClaims {
  let claims = byConnection.get(db);
  if (!claims) {
    claims = createProcessClaims();
    byConnection.set(db, claims);
  }
  return claims;
}

function createProcessClaims(): ProcessClaims {
  const byKey = new Map<string, Claim>();
  /** executionId → its claimed keys (a run's outcomes and its distribution notice are claimed apart). */
  const byExecution = new Map<string, Set<string>>();

  function drop(key: string): void {
    const claim = byKey.get(key);
    if (!claim) return;
    byKey.delete(key);
    const keys = byExecution.get(claim.executionId);
    keys?.delete(key);
    if (keys?.size === 0) byExecution.delete(claim.executionId);
  }

  const live = (key: string, now: number): boolean => {
    const claim = byKey.get(key);
    return claim !== undefined && claim.expiresAt > now;
  };

  function dropWhere(gone: (c: Claim) => boolean): number {
    let n = 0;
    for (const [key, claim] of byKey) {
      if (!gone(claim)) continue;
      drop(key);
      n++;
    }
    return n;
  }

  return {
    take(key, executionId, instanceId, expiresAt, now) {
      if (live(key, now)) return false;
      drop(key);
      byKey.set(key, { executionId, instanceId, expiresAt });
      const keys = byExecution.get(executionId) ?? new Set<string>();
      keys.add(key);
      byExecution.set(executionId, keys);
      return true;
    },
    drop,
    holds: live,
    holdsExecution(executionId, now) {
      for (const key of byExecution.get(executionId) ?? []) if (live(key, now)) return true;
      return false;
    },
    dropExcept(instanceIds) {
      const keep = new Set(instanceIds);
      return dropWhere((c) => !keep.has(c.instanceId));
    },
    purge: (now) => dropWhere((c) => c.expiresAt <= now),
  };
}
