// Whether the store can be written: on a full disk every write fails (SQLITE_FULL from SQLite, SQLSTATE 53100 from
// PostgreSQL) until space returns.
// This keeps what /ready and the log say about it: the failures of the last minute, one log line a minute with their
// count (a busy site fails thousands of writes a second then: issue 75 found 59,962 error lines in 35 s), and the
// first write that commits again. Nothing is retried here: each caller keeps or refuses its own work.
import type { Clock } from "../core/clock";
import { isDiskFull } from "./sql";

const MINUTE_MS = 60_000;
/**
 * How long after the last disk-full failure a committed write means the disk takes writes again: small writes can
 * still fit in pages the store already has while larger ones fail, and /ready should not flap between the two.
 */
export const WRITABLE_AGAIN_AFTER_MS = 10_000;

export interface WriteHealthLog {
  error(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
}

export interface WriteHealth {
  /** Counts `writes` that failed with `err`; true when it says the disk is full (the only kind counted). */
  failed(err: unknown, writes?: number): boolean;
  /** A transaction committed without a disk-full failure: if it wrote a row, a while after the last failure, the disk takes writes again. */
  committed(): void;
  /** True from the first disk-full failure until a write commits again (WRITABLE_AGAIN_AFTER_MS after the last failure). */
  readonly full: boolean;
  /** For /ready: not ok while the disk is full, saying so to the administrator. */
  status(): { ok: boolean; detail: string };
  /** Writes refused for a full disk since start (/metrics). */
  readonly diskFullWrites: number;
}

/** How the store's full disk is named in the log and /ready. */
export interface FullDiskWords {
  /** Whose disk: "the disk holding …". */
  disk: string;
  /** The `code` field of the log line. */
  code: string;
  /** Said after "is full" in the log line (SQLite's says nothing more there). */
  inLine: string;
  /** Said after "is full" in /ready. */
  inStatus: string;
  /** What the administrator does about it. */
  free: string;
}

export const sqliteWords = (file: string): FullDiskWords => ({
  disk: `the disk holding ${file}`,
  code: "SQLITE_FULL",
  inLine: "",
  inStatus: " (SQLITE_FULL / ENOSPC)",
  free: "free space",
});

export interface WriteHealthOptions {
  /** The database file (or the store), named in the log lines' `file` field and in /ready when all is well. */
  file: string;
  /** SQLite's words for the file by default. */
  words?: FullDiskWords;
  clock: Clock;
  log?: WriteHealthLog;
  /**
   * Writes committed since the store opened (SQLite's total_changes(); on PostgreSQL, writes of a kind the full disk
   * refused): asked only while the disk is full, so that reads, which still succeed, do not say the disk takes writes.
   */
  changes(): number;
}

/** The failures of the last minute, in one-second buckets (a flood of failures costs no more than a trickle). */
function minuteCounter(clock: Clock) {
  const buckets: Array<{ second: number; n: number }> = [];
  const prune = (now: number) => {
    const oldest = Math.floor((now - MINUTE_MS) / 1000);
    while (buckets.length > 0 && buckets[0]!.second <= oldest) buckets.shift();
  };
  return {
    add(n: number) {
      const now = clock.now();
      const second = Math.floor(now / 1000);
      const last = buckets[buckets.length - 1];
      if (last && last.second === second) last.n += n;
      else buckets.push({ second, n });
      prune(now);
    },
    total(): number {
      prune(clock.now());
      return buckets.reduce((sum, b) => sum + b.n, 0);
    },
  };
}

export function createWriteHealth(o: WriteHealthOptions): WriteHealth {
  const words = o.words ?? sqliteWords(o.file);
  const lastMinute = minuteCounter(o.clock);
  let full = false;
  let diskFullWrites = 0;
  /** Failures since the last log line, and when that line was written. */
  let unsaid = 0;
  let saidAt = 0;
  /** Failures of this episode, the last one's time, the connection's changes then, and whether a commit added some since. */
  let episode = 0;
  let failedAt = 0;
  let changesAtFailure = 0;
  let committedSince = false;

  const writableAgain = () => {
    if (!full || !committedSince || o.clock.now() - failedAt < WRITABLE_AGAIN_AFTER_MS) return;
    full = false;
    o.log?.info({ file: o.file, failedWrites: episode }, `the store takes writes again; ${episode} writes failed while the disk was full`);
    episode = 0;
    unsaid = 0;
  };

  const say = (now: number) => {
    o.log?.error(
      { file: o.file, failedWrites: unsaid, code: words.code },
      `${words.disk} is full${words.inLine}: ${unsaid} write${unsaid === 1 ? "" : "s"} failed${saidAt === 0 ? "" : " since the last line"}; ${words.free} and Steward resumes by itself (next line in a minute if it goes on)`,
    );
    unsaid = 0;
    saidAt = now;
  };

  return {
    failed(err, writes = 1) {
      if (!isDiskFull(err)) return false;
      diskFullWrites += writes;
      episode += writes;
      unsaid += writes;
      lastMinute.add(writes);
      changesAtFailure = o.changes();
      committedSince = false;
      const now = o.clock.now();
      failedAt = now;
      if (!full || now - saidAt >= MINUTE_MS) {
        if (!full) saidAt = 0;
        full = true;
        say(now);
      }
      return true;
    },
    committed() {
      if (!full) return;
      if (!committedSince && o.changes() > changesAtFailure) committedSince = true;
      writableAgain();
    },
    get full() {
      return full;
    },
    status() {
      writableAgain();
      if (!full) return { ok: true, detail: o.file };
      const n = lastMinute.total();
      return {
        ok: false,
        detail: `${words.disk} is full${words.inStatus}: ${n} write${n === 1 ? "" : "s"} failed in the last minute; ${words.free} and Steward resumes by itself`,
      };
    },
    get diskFullWrites() {
      return diskFullWrites;
    },
  };
}
