// What releases a run the intake claimed: dropped (its claim given up, its reservation released), released after
// its seen mark, the mark written in the background. Split from run-processor.ts, whose path every run takes.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { TaskEvent } from "../../platform/events/types";
import type { FullDiskLines } from "../../platform/store/full-disk-lines";
import type { RunReport } from "../events/enrich-task-event";
import type { RunReservations } from "./run-reservations";

const MARK_FAILED = "could not remember a task run as handled; reconciliation may announce it again";

/** A run's claim key, and the key of QRS's run a datagram without an ExecutionId was matched to. */
const keysOf = (key: string, matchedKey: string | undefined) => (matchedKey === undefined ? [key] : [key, matchedKey]);

/** A run enriched and claimed, not yet announced. */
export interface HeldRun {
  report: RunReport;
  key: string;
  /** QRS's run a datagram that named no execution was matched to: claimed too, so that run is announced once. */
  matchedKey?: string;
  /** As enriched, before history and incident (added again at each try). */
  event: TaskEvent;
}

type Reservations = Pick<RunReservations, "release" | "giveUp" | "markedSeen">;
/** Why a run was not announced (ProcessResult.dropped). */
export type Dropped = "unconfirmed" | "error" | "closed" | "retrying" | "duplicate" | "attempt";

/** Gives the run's claim up and drops its reservation: reconciliation (or a repeat) may pick the run up. */
export async function dropRun<D extends Dropped>(r: Reservations, key: string, why: D, matchedKey?: string): Promise<{ dropped: D }> {
  for (const k of keysOf(key, matchedKey)) {
    await r.giveUp(k);
    r.release(k);
  }
  return { dropped: why };
}

export function releaseRun(r: Reservations, run: HeldRun): void {
  r.release(run.key);
  if (run.matchedKey !== undefined) r.release(run.matchedKey);
}

export async function giveUpRun(r: Reservations, run: HeldRun): Promise<void> {
  await Promise.all(keysOf(run.key, run.matchedKey).map(r.giveUp));
}

export function markedRun(r: Reservations, run: HeldRun): void {
  r.markedSeen(run.key);
  if (run.matchedKey !== undefined) r.markedSeen(run.matchedKey);
}

export interface BackgroundMarks {
  /** Writes the run's seen mark. */
  mark: (run: HeldRun, event: TaskEvent) => Promise<void>;
  log: Logger;
  fullDisk: FullDiskLines;
  reservations: Reservations;
  /** Seen marks written in the background, until they settle. */
  marking: Set<Promise<void>>;
}

/** The seen mark written while the worker goes on; the run stays reserved here until it settles. */
export function markInBackground(b: BackgroundMarks, run: HeldRun, event: TaskEvent): void {
  const tracked: Promise<void> = b
    .mark(run, event)
    .then(() => markedRun(b.reservations, run))
    .catch(async (err: unknown) => {
      b.fullDisk("mark", err, (f) => b.log.error({ executionId: run.report.executionId, err: describeError(err), ...f }, MARK_FAILED));
      await giveUpRun(b.reservations, run);
    })
    .finally(() => {
      releaseRun(b.reservations, run);
      b.marking.delete(tracked);
    });
  b.marking.add(tracked);
}
