// Keeps the store's WAL short without holding the event loop. SQLite checkpoints inside the commit that takes the WAL
// past wal_autocheckpoint, on the event loop: copying the pages and syncing the WAL and the database took 40-60 ms
// about once a second under a load of KV sets, and the sets answered meanwhile made their p99 (issue 69: 43-90 ms at
// 50 connections with it, 5 ms without any checkpoint). Here the main connection never checkpoints on its own; a
// worker thread with its own connection (wal-checkpoint-worker.ts) copies the WAL on, passively, a quarter of a second
// after it was written, once it has reached WAL_CHECKPOINT_BYTES. The next write after a complete copy starts the WAL
// over; writes that never pause never give it that moment, so once a WAL generation holds 64 MiB the main connection
// restarts it itself, between transactions (it is the writer: nothing to wait for, and the thread has copied nearly
// everything, so the stall is a few milliseconds; the file is reused as it is, not cut back: truncating tens of MB
// held the loop 20-120 ms). Durability is the same: a commit is in the WAL before it is
// answered, whoever copies it on. The thread starts with the first checkpoint and stops after a quiet half minute (an
// idle Steward keeps no second thread). Where it cannot run, or the WAL cannot be started over, SQLite's own
// checkpoints come back (`fallback`). A full disk is not such a failure: the thread stops, waits for space and starts
// again, later each time (1 s, doubling to a minute, on the injected clock); issue 75 found it stopped for good.
// It looks at the WAL only after something was written (`written()`, called by the
// store after each write): a quarter of a second after the first write, then every quarter second while writes go on
// or a copy is out; with the thread idle it looks once more when the thread's quiet half minute is up. A look every
// 250 ms whatever happened woke an idle Steward four times a second for an unchanged file (issue 78).
import { statSync } from "node:fs";
import { type Clock, type Timer, wallClock } from "../core/clock";
import { runtime } from "../runtime";
import type { CheckpointReply, CheckpointRequest } from "./wal-checkpoint-worker";

/** The WAL's size (bytes) at which the thread starts: a quarter of a second of the heaviest load measured. */
export const WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** Pages of one WAL generation past which the main connection restarts it (64 MiB). */
const WAL_RESTART_PAGES = 16_384;
/** A generation this long (256 MiB) means the WAL cannot be restarted: SQLite's own checkpoints take over. */
const WAL_BOUND_PAGES = 65_536;
const POLL_MS = 250;
/**
 * A WAL file larger than this (twice the thread's start) is cut back once the store is quiet: a burst (a flood of
 * datagrams, a large import) left it long and is over (issue 86: 65.6 MB kept until Steward stopped). Not while writes
 * go on: each cut would make the next writes grow it again. A long file is looked at again when it could be quiet, even
 * with nothing written; a cut the thread could not make (a reader or writer was on the WAL) is asked for at the next look.
 */
const TRUNCATE_ABOVE_BYTES = 2 * WAL_CHECKPOINT_BYTES;
/** Quiet: at most QUIET_PAGES (1 MiB) written to the WAL in the last QUIET_MS. */
const QUIET_MS = 10_000;
const QUIET_PAGES = 256;
const IDLE_STOP_MS = 30_000;
/** How long close() waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 5_000;
/** The first and the longest wait before the thread tries again on a full disk. */
const FULL_RETRY_FIRST_MS = 1_000;
const FULL_RETRY_MAX_MS = 60_000;

export interface WalCheckpointerOptions {
  /** Turns SQLite's own checkpoints back on (the main connection's wal_autocheckpoint). */
  fallback(reason: string): void;
  /**
   * Restarts the WAL on the main connection if no transaction is open there now (returns false then): copies what the
   * thread has not yet and starts the next write at the WAL's beginning.
   */
  restart(): boolean;
  /** Defaults: WAL_CHECKPOINT_BYTES, 16,384 pages (64 MiB), a look 250 ms after a write (tests make them small). */
  thresholdBytes?: number;
  restartPages?: number;
  pollMs?: number;
  /** Defaults: a WAL file past 8 MiB is cut back after 10 s with at most 256 pages written (tests make them small). */
  truncateAboveBytes?: number;
  quietMs?: number;
  /** Times the thread's tries again on a full disk (the looks at the WAL keep wall time: they wait on real I/O). */
  clock?: Clock;
  /** Told when the thread waits for space (at most once a minute while it goes on) and when it copies again. */
  log?: { warn(fields: Record<string, unknown>, msg: string): void; info(fields: Record<string, unknown>, msg: string): void };
}

export interface WalCheckpointer {
  /** Something was written: the WAL is looked at within a poll period (cheap when a look is already due). */
  written(): void;
  /** Stops polling and closes the worker's connection (waits for it: the store's last checkpoint comes next). */
  close(): void;
  /** Checkpoints the thread ran, restarts the main connection made, and whether SQLite's own took over. */
  readonly stats: { checkpoints: number; restarts: number; looks: number; truncates: number; fallback?: string; waitingForSpace?: string };
}

/** SQLITE_FULL, or the file system's ENOSPC in the text of the thread's error. */
function diskFull(reply: { errcode?: number; error: string }): boolean {
  return (reply.errcode !== undefined && (reply.errcode & 0xff) === 13) || /ENOSPC|disk is full|no space left/i.test(reply.error);
}

/**
 * The thread's waits on a full disk: `stop` ends the thread (false when the checkpointer is closed or fell back, and
 * nothing should be tried again), `retry` starts the next try; each wait is twice the last, up to a minute, and is
 * said at most once a minute.
 */
function spaceWait(opts: WalCheckpointerOptions, stats: WalCheckpointer["stats"], stop: () => boolean, retry: () => void) {
  const clock = opts.clock ?? wallClock;
  let timer: Timer | undefined;
  let waitMs = FULL_RETRY_FIRST_MS;
  let saidAt: number | undefined;
  return {
    wait(reason: string) {
      if (!stop()) return;
      stats.waitingForSpace = reason;
      const now = clock.now();
      if (saidAt === undefined || now - saidAt >= FULL_RETRY_MAX_MS) {
        saidAt = now;
        opts.log?.warn({ reason, retryInMs: waitMs }, "the store's checkpoint thread waits for disk space; it tries again by itself");
      }
      clock.clearTimeout(timer);
      timer = clock.setTimeout(() => {
        timer = undefined;
        if (stats.waitingForSpace !== undefined && !stats.fallback) retry();
      }, waitMs);
      timer.unref?.();
      waitMs = Math.min(waitMs * 2, FULL_RETRY_MAX_MS);
    },
    copied() {
      if (stats.waitingForSpace === undefined) return;
      stats.waitingForSpace = undefined;
      waitMs = FULL_RETRY_FIRST_MS;
      saidAt = undefined;
      opts.log?.info({}, "the store's checkpoint thread copies the WAL again");
    },
    close() {
      clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * How fast the WAL grows, from the generation sizes the thread's checkpoints report (a smaller one than the last means
 * the WAL was started over): `quiet` when at most `pages` were written in the last `windowMs`, and for that long.
 */
function writePace(windowMs: number) {
  let last = 0;
  let written = 0;
  const samples: { at: number; written: number }[] = [{ at: wallClock.now(), written: 0 }];
  /** Keeps the newest sample at or before the window's start, and those after it. */
  const trim = (now: number) => {
    while (samples.length > 1 && samples[1]!.at <= now - windowMs) samples.shift();
  };
  return {
    seen(generationPages: number) {
      written += generationPages >= last ? generationPages - last : generationPages;
      last = generationPages;
      const now = wallClock.now();
      samples.push({ at: now, written });
      trim(now);
    },
    quiet(pages: number): boolean {
      const now = wallClock.now();
      trim(now);
      const start = samples[0]!;
      return start.at <= now - windowMs && written - start.written <= pages;
    },
    /** Milliseconds until the window could be quiet. */
    quietIn: () => Math.max(0, samples[samples.length - 1]!.at + windowMs - wallClock.now()),
  };
}

/** Starts the thread and opens its connection; `closed` is set by it once the connection is closed. */
function spawnThread(file: string, onReply: (r: CheckpointReply) => void, onError: (e: ErrorEvent) => void) {
  const closed = new Int32Array(new SharedArrayBuffer(4));
  const worker = runtime.startWorker(new URL("./wal-checkpoint-worker.ts", import.meta.url), "platform/store/wal-checkpoint-worker.ts");
  worker.onmessage = (e: MessageEvent<CheckpointReply>) => onReply(e.data);
  worker.onerror = onError;
  worker.postMessage({ op: "open", file, closed } satisfies CheckpointRequest);
  return { worker, closed };
}

/** Ends the thread: its connection is asked to close first, when it opened one, and waited for. */
function endThread(w: Worker, closedFlag: Int32Array | undefined, opened: boolean): void {
  if (closedFlag && opened) {
    w.postMessage({ op: "close" } satisfies CheckpointRequest);
    // Synchronous on purpose: the store's own TRUNCATE checkpoint and close follow, with this connection gone.
    Atomics.wait(closedFlag, 0, 0, CLOSE_WAIT_MS);
  }
  w.terminate();
}

export function startWalCheckpointer(file: string, opts: WalCheckpointerOptions): WalCheckpointer {
  const walFile = `${file}-wal`;
  const threshold = opts.thresholdBytes ?? WAL_CHECKPOINT_BYTES;
  const restartPages = opts.restartPages ?? WAL_RESTART_PAGES;
  const boundPages = Math.max(WAL_BOUND_PAGES, 4 * restartPages);
  const stats: WalCheckpointer["stats"] = { checkpoints: 0, restarts: 0, looks: 0, truncates: 0 };
  const [pace, truncateAbove] = [writePace(opts.quietMs ?? QUIET_MS), opts.truncateAboveBytes ?? TRUNCATE_ABOVE_BYTES];
  let worker: Worker | undefined;
  let closedFlag: Int32Array | undefined;
  /** The worker said its connection is open: only then is there a connection to wait for at close. */
  let opened = false;
  let busy = false;
  let lastWork = 0;
  /** The WAL file's modification time at the last look: a change means something was written since. */
  let lastMtime = 0;
  /** Pages in the WAL's current generation, as the thread's last checkpoint saw them. */
  let generationPages = 0;
  let timer: Timer | undefined;
  /** A look is due within a poll period (not only the thread's idle stop). */
  let soon = false;
  let closed = false;
  const pollMs = opts.pollMs ?? POLL_MS;

  const stopWorker = () => {
    const w = worker;
    if (!w) return;
    worker = undefined;
    endThread(w, closedFlag, opened);
    busy = false;
    opened = false;
  };
  const fallback = (reason: string) => {
    if (stats.fallback) return;
    stats.fallback = reason;
    stopWorker();
    opts.fallback(reason);
  };
  const space = spaceWait(
    opts,
    stats,
    () => {
      stopWorker();
      return !closed && !stats.fallback;
    },
    () => ask("checkpoint"),
  );
  const startWorker = (): Worker => {
    const thread = spawnThread(file, onReply, (e) => fallback(`the checkpoint thread failed: ${e.message}`));
    closedFlag = thread.closed;
    return thread.worker;
  };

  const onReply = (reply: CheckpointReply) => {
    if (!reply.ok && diskFull(reply)) return space.wait(`the checkpoint thread failed (${reply.op}): ${reply.error}`);
    if (!reply.ok) return fallback(`the checkpoint thread failed (${reply.op}): ${reply.error}`);
    if (reply.op === "open") return void (opened = true);
    busy = false;
    lastWork = wallClock.now();
    if (reply.op === "truncate" && !reply.cut) return;
    generationPages = reply.op === "checkpoint" ? reply.walPages : 0;
    pace.seen(generationPages);
    if (reply.op === "truncate") stats.truncates++;
    if (reply.op !== "checkpoint") return;
    stats.checkpoints++;
    space.copied();
    // Right after the thread's copy, little is left to copy: the restart's own copy and syncs are short then.
    restartIfDue();
  };

  /** Restarts a long WAL generation on the main connection; false when none is due or a transaction is open. */
  const restartIfDue = (): boolean => {
    if (busy || closed || stats.fallback || stats.waitingForSpace || generationPages < restartPages || !opts.restart()) return false;
    stats.restarts++;
    generationPages = 0;
    return true;
  };

  /** A copy, or a cut of the file back (a full copy first; a write of the main connection meanwhile waits for it). */
  const ask = (op: "checkpoint" | "truncate") => {
    try {
      worker ??= startWorker();
      busy = true;
      worker.postMessage({ op } satisfies CheckpointRequest);
    } catch (err) {
      fallback(`no checkpoint thread: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const poll = () => {
    timer = undefined;
    soon = false;
    if (closed || stats.fallback) return;
    // Waiting for space: the next try is on the space wait's timer, and the next write looks again after it.
    if (stats.waitingForSpace !== undefined) return;
    stats.looks++;
    const st = statSync(walFile, { throwIfNoEntry: false });
    const written = (st?.mtimeMs ?? 0) !== lastMtime;
    const size = st?.size ?? 0;
    lastMtime = st?.mtimeMs ?? 0;
    if (generationPages > boundPages) fallback(`the WAL could not be started over (${Math.round(generationPages / 256)} MiB)`);
    // The thread is idle (it starts only when asked), so a restart waits for nobody; one that could not be made (a
    // transaction was open) is followed by a copy, which also counts the generation again.
    else if (restartIfDue()) {
      // done
    } else if (!busy && size > truncateAbove && pace.quiet(QUIET_PAGES)) {
      ask("truncate");
    } else if (!busy && written && (worker || size >= threshold)) ask("checkpoint");
    else if (!busy && worker && wallClock.now() - lastWork > IDLE_STOP_MS) stopWorker();
    if (closed || stats.fallback) return;
    // Writes that go on, or a copy out, are looked at again soon; a thread with nothing to do once its quiet time is
    // up; nothing at all otherwise, until the next write.
    if (written || busy) arm(pollMs);
    else if (size > truncateAbove) arm(Math.max(pollMs, pace.quietIn()));
    else if (worker) arm(Math.max(pollMs, lastWork + IDLE_STOP_MS - wallClock.now() + 1));
  };

  const arm = (ms: number) => {
    wallClock.clearTimeout(timer);
    soon = ms <= pollMs;
    timer = wallClock.setTimeout(poll, ms);
    timer.unref?.();
  };
  // The store's migrations (or an earlier run's WAL) are looked at once at the start.
  arm(pollMs);

  return {
    stats,
    written() {
      if (!soon && !closed && !stats.fallback) arm(pollMs);
    },
    close() {
      closed = true;
      wallClock.clearTimeout(timer);
      space.close();
      timer = undefined;
      stopWorker();
    },
  };
}
