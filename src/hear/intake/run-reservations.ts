// Which runs this Steward is working on: a reservation in memory (per dedupe key, counted per execution) while a
// run is queued or enriched, and its claim in the store shared by every Steward of a cluster until the run is
// marked seen or given up.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { IntakeStore } from "./intake-store";

/**
 * How long a claim protects a run a Steward works on. Enrichment takes seconds. The claims of a Steward that
 * died are dropped when it (on its own store) or the reconciling Steward of a cluster starts; at the latest they
 * run out after this.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;

export interface RunReservationsDeps {
  store: IntakeStore;
  clock: Clock;
  log: Logger;
  dedupe: { enabled: boolean };
  /** This Steward instance, named in its claims. */
  instanceId: string;
}

export interface RunReservations {
  /** False when the key (or, with `anyOutcome`, any outcome of the execution) is reserved here already. */
  reserve(key: string, executionId: string, anyOutcome?: boolean): boolean;
  /** Claims a reserved key in the store; false (and the reservation released) when the run is handled or claimed elsewhere. */
  claimStored(key: string, executionId: string, source: string, anyOutcome?: boolean): Promise<boolean>;
  release(key: string): void;
  /** Gives up this Steward's store claim on the key; keeps the reservation. */
  giveUp(key: string): Promise<void>;
  /** The key's seen mark is committed: its store claim is no longer this Steward's to give up. */
  markedSeen(key: string): void;
  inFlight(executionId: string): boolean;
}

export function createRunReservations(deps: RunReservationsDeps): RunReservations {
  const claims = new Map<string, string>(); // key → executionId
  const executions = new Map<string, number>(); // executionId → number of claims
  /** Keys this Steward claimed in the store (and must mark seen or give up). */
  const stored = new Set<string>();

  function release(key: string) {
    const exec = claims.get(key);
    if (exec === undefined) return;
    claims.delete(key);
    const n = (executions.get(exec) ?? 1) - 1;
    if (n <= 0) executions.delete(exec);
    else executions.set(exec, n);
  }

  async function giveUp(key: string): Promise<void> {
    if (!stored.delete(key)) return;
    try {
      await deps.store.unclaim(key);
    } catch (err) {
      deps.log.warn({ key, err: describeError(err) }, "could not give up a run claim; it runs out on its own");
    }
  }

  const reserve = (key: string, executionId: string, anyOutcome = false): boolean => {
    if (claims.has(key)) return false;
    if (anyOutcome && executions.has(executionId)) return false;
    claims.set(key, executionId);
    executions.set(executionId, (executions.get(executionId) ?? 0) + 1);
    return true;
  };

  const claimStored = async (key: string, executionId: string, source: string, anyOutcome = false): Promise<boolean> => {
    const now = deps.clock.now();
    try {
      // Reconciliation always checks what was handled (turning dedupe off must not replay every run from QRS).
      if (anyOutcome && ((await deps.store.isExecutionSeen(executionId, now)) || (await deps.store.isPending(executionId)))) {
        release(key);
        return false;
      }
      if (!deps.dedupe.enabled && !anyOutcome) return true;
      if (!(await deps.store.claim(key, executionId, source, now, CLAIM_LEASE_MS, deps.instanceId))) {
        release(key);
        return false;
      }
    } catch (err) {
      release(key);
      throw err;
    }
    stored.add(key);
    return true;
  };

  return {
    reserve,
    claimStored,
    release,
    giveUp,
    markedSeen: (key) => void stored.delete(key),
    inFlight: (executionId) => executions.has(executionId),
  };
}
