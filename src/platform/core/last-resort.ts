// The last line of defence for errors that no code awaited: a rejection inside a library (the PostgreSQL client
// while the server shuts down), a throw from a timer. Without a handler the runtime ends the process, and a
// Steward that exits hears no datagram until someone restarts it. With it, the error is logged with what to do,
// counted on /metrics (steward_uncaught_errors_total) so a real bug cannot hide, and Steward keeps serving.
import { describeError } from "./errors";
import type { Logger } from "./logger";

export type LastResortKind = "uncaught_exception" | "unhandled_rejection";
type Listener = (kind: LastResortKind, err: unknown) => void;

const listeners = new Set<Listener>();
const counts: Record<LastResortKind, number> = { uncaught_exception: 0, unhandled_rejection: 0 };
let guardLog: Logger | undefined;

function report(kind: LastResortKind, err: unknown): void {
  counts[kind]++;
  guardLog?.error(
    { err: describeError(err), kind, stack: err instanceof Error ? err.stack : undefined },
    "an error no code handled reached the last-resort guard; Steward keeps running (report this log line: it is a bug)",
  );
  for (const listener of listeners) listener(kind, err);
}

/** Installs the process handlers once per process; a later call only changes the logger (the last app's). */
export function installLastResortGuard(log: Logger): void {
  if (guardLog === undefined) {
    process.on("uncaughtException", (err) => report("uncaught_exception", err));
    process.on("unhandledRejection", (reason) => report("unhandled_rejection", reason));
  }
  guardLog = log;
}

/** Errors the guard has caught in this process so far, by kind. */
export function lastResortCounts(): Readonly<Record<LastResortKind, number>> {
  return counts;
}

/** Calls `listener` for each error the guard catches; returns what removes it. */
export function onLastResort(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
