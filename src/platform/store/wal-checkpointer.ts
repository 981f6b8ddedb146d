// Keeps the store's WAL short without holding the event loop. SQLite checkpoints inside the commit that takes the WAL
// past wal_autocheckpoint, on the event loop: copying the pages and syncing the WAL and the database took 40-60 ms
// about once a second under a load of KV sets, and the sets answered meanwhile made their p99 (issue 69: 43-90 ms at
// 50 connections with it, 5 ms without any checkpoint). Here the main connection never checkpoints; a worker thread
// with its own connection does (wal-checkpoint-worker.ts) once the WAL passes WAL_CHECKPOINT_BYTES, passively (the
// next write starts the WAL over), and past WAL_RESTART_BYTES also restarting it (writes that never pause). Durability is the
// same: a commit is in the WAL before it is answered, whoever copies it on. The worker starts with the first
// checkpoint and stops after a quiet half minute (an idle Steward keeps no second thread). Where it cannot run, or the
// WAL outgrows a bound it should never reach, the main connection checkpoints as before (`fallback`).
import { statSync } from "node:fs";
import { type Timer, wallClock } from "../core/clock";
import { runtime } from "../runtime";
import type { CheckpointReply, CheckpointRequest } from "./wal-checkpoint-worker";

/** The WAL's size (bytes) at which the worker copies it on: a quarter of a second of the heaviest load measured. */
export const WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** Past this the checkpoint also restarts the WAL (writes that never pause never let the next write do it). */
const WAL_RESTART_BYTES = 64 * 1024 * 1024;
/** A WAL this large means the worker is not keeping up or not running: the main connection takes over. */
const WAL_BOUND_BYTES = 256 * 1024 * 1024;
const POLL_MS = 250;
const IDLE_STOP_MS = 30_000;
/** How long close() waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 5_000;

export interface WalCheckpointerOptions {
  /** Turns SQLite's own checkpoints back on (the main connection's wal_autocheckpoint). */
  fallback(reason: string): void;
  thresholdBytes?: number;
}

export interface WalCheckpointer {
  /** Stops polling and closes the worker's connection (waits for it: the store's last checkpoint comes next). */
  close(): void;
  /** Checkpoints the worker ran, and whether it fell back. */
  readonly stats: { checkpoints: number; fallback?: string };
}

export function startWalCheckpointer(file: string, opts: WalCheckpointerOptions): WalCheckpointer {
  const walFile = `${file}-wal`;
  const threshold = opts.thresholdBytes ?? WAL_CHECKPOINT_BYTES;
  const stats: WalCheckpointer["stats"] = { checkpoints: 0 };
  let worker: Worker | undefined;
  let closedFlag: Int32Array | undefined;
  /** The worker said its connection is open: only then is there a connection to wait for at close. */
  let opened = false;
  let busy = false;
  let lastWork = 0;
  let timer: Timer | undefined;
  let closed = false;

  const stopWorker = () => {
    const w = worker;
    if (!w) return;
    worker = undefined;
    if (closedFlag && opened) {
      w.postMessage({ op: "close" } satisfies CheckpointRequest);
      // Synchronous on purpose: the store's own TRUNCATE checkpoint and close follow, with this connection gone.
      Atomics.wait(closedFlag, 0, 0, CLOSE_WAIT_MS);
    }
    w.terminate();
    busy = false;
    opened = false;
  };

  const fallback = (reason: string) => {
    if (stats.fallback) return;
    stats.fallback = reason;
    stopWorker();
    opts.fallback(reason);
  };

  const startWorker = (): Worker => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const w = runtime.startWorker(new URL("./wal-checkpoint-worker.ts", import.meta.url), "platform/store/wal-checkpoint-worker.ts");
    w.onmessage = (e: MessageEvent<CheckpointReply>) => {
      const reply = e.data;
      if (!reply.ok) return fallback(`the checkpoint thread failed (${reply.op}): ${reply.error}`);
      if (reply.op === "open") opened = true;
      if (reply.op === "checkpoint") {
        busy = false;
        lastWork = wallClock.now();
        stats.checkpoints++;
      }
    };
    w.onerror = (e: ErrorEvent) => fallback(`the checkpoint thread failed: ${e.message}`);
    w.postMessage({ op: "open", file, closed: flag } satisfies CheckpointRequest);
    closedFlag = flag;
    return w;
  };

  const poll = () => {
    if (closed || stats.fallback) return;
    const size = statSync(walFile, { throwIfNoEntry: false })?.size ?? 0;
    if (size > WAL_BOUND_BYTES) fallback(`the WAL reached ${Math.round(size / 1024 / 1024)} MiB`);
    else if (!busy && size >= threshold) {
      try {
        worker ??= startWorker();
        busy = true;
        worker.postMessage({ op: "checkpoint", restart: size >= WAL_RESTART_BYTES } satisfies CheckpointRequest);
      } catch (err) {
        fallback(`no checkpoint thread: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else if (!busy && worker && wallClock.now() - lastWork > IDLE_STOP_MS) stopWorker();
    if (!closed && !stats.fallback) arm();
  };

  const arm = () => {
    timer = wallClock.setTimeout(poll, POLL_MS);
    timer.unref?.();
  };
  arm();

  return {
    stats,
    close() {
      closed = true;
      wallClock.clearTimeout(timer);
      stopWorker();
    },
  };
}
