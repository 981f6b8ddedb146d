// Something test files build once per machine and share (the PostgreSQL template, the compiled binaries, the Wine
// shim): several workers may need it at the same moment, so one builds it under a lock folder while the others wait,
// and it is built in a staging folder renamed into place, whole or not at all (a killed build leaves nothing half
// written where the others look). A lock older than `staleMs` was left by a killed process and is taken over.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { waitFor } from "./wait-for";

export interface MachineCacheEntry {
  /** The folder the entry lives in once built. */
  dir: string;
  /** A file whose presence says the entry is complete. */
  ready: string;
  /** Longer than any build takes: a lock this old was left by a killed process. */
  staleMs: number;
  /** What the lock is, for the wait's error. */
  what: string;
  /** How often a waiting worker looks (ms). */
  intervalMs?: number;
  /** Builds the entry into `staging` (an empty folder's path, not yet made). */
  build(staging: string): Promise<void> | void;
  /** Runs after the entry is in place, still under the lock (pruning entries of other keys). */
  afterBuild?(): void;
}

/** Builds `entry` unless some process of this machine already has; returns once its `ready` file exists. */
export async function buildOncePerMachine(entry: MachineCacheEntry): Promise<void> {
  if (existsSync(entry.ready)) return;
  const lock = `${entry.dir}.lock`;
  await waitFor(
    () => {
      if (existsSync(entry.ready)) return true;
      try {
        mkdirSync(lock);
        return true;
      } catch {
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > entry.staleMs) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    { what: entry.what, timeoutMs: entry.staleMs + 30_000, intervalMs: entry.intervalMs ?? 250 },
  );
  try {
    if (existsSync(entry.ready)) return;
    const staging = `${entry.dir}.building`;
    rmSync(staging, { recursive: true, force: true });
    try {
      await entry.build(staging);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    rmSync(entry.dir, { recursive: true, force: true });
    renameSync(staging, entry.dir);
    entry.afterBuild?.();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
