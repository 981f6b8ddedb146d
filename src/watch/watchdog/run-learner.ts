// What one task's finished runs teach, kept as they come (issue 78): its usual duration reads the newest 30
// successful durations overall and per kind of day (usual.ts), its typical duration the newest 30, its staleness
// when its successful runs ended. So a task keeps only those: per kind of day its newest durations with when they
// stopped, and the newest SUCCESS_ENDS ends. Learning a task then costs the window, not its 35 days of runs, and the
// kind of day of a run is worked out once, when it is added.
//
// Exact for the durations: a run among the newest 30 of its kind of day is kept, and a prune (always the oldest
// runs first) leaves the newest 30 of what is left. The one approximation is the ends: a task with more than
// SUCCESS_ENDS successful runs in keepRuns (one every 3.3 hours over 35 days) learns its usual interval between
// reloads from its newest SUCCESS_ENDS; its last success, which staleness reads, is always kept.
import { type DurationBucket, durationBucketOf } from "./duration-buckets";
import { grownCapacity, MsColumn } from "./learned-column";
import { STATUS } from "./observations";
import type { KeptRun } from "./run-list";
import { DEFAULT_USUAL } from "./usual";

/** Successful ends kept per task: the usual interval of a task reloading every three hours or less is learned from them. */
export const SUCCESS_ENDS = 256;

/** The kinds of day a duration is kept under, by code; a negative duration (kept for the typical one only) has its own. */
const BUCKETS: readonly DurationBucket[] = ["month-first", "month-last", ...Array.from({ length: 7 }, (_, d) => `weekday-${d}` as const)];
const NEGATIVE = BUCKETS.length;
const codeOf = (b: DurationBucket) => BUCKETS.indexOf(b);

export class RunLearner {
  /** Changes whenever what it teaches may have: a successful run added or pruned. */
  version = 0;
  private readonly stops = new MsColumn(true);
  private readonly durations = new MsColumn(false);
  private codes = new Uint8Array(4);
  private readonly perCode = new Uint16Array(NEGATIVE + 1);
  private readonly endsCol = new MsColumn(true);

  /** `zone`: the time zone its kinds of day are counted in (its trigger's). */
  constructor(
    readonly zone: string,
    private readonly window = DEFAULT_USUAL.window,
    private readonly maxEnds = SUCCESS_ENDS,
  ) {}

  /** A finished run of the task (any status; only successful ones teach), in any order. */
  add(run: KeptRun): void {
    if (run.status !== STATUS.Success) return;
    const changed = this.addEnd(run.stopMs);
    const added = run.startMs !== undefined && this.addDuration(run.stopMs, run.stopMs - run.startMs, run.startMs);
    if (changed || added) this.version++;
  }

  /** The runs that stopped before `ms` are gone (keepRuns). */
  dropBefore(ms: number): void {
    // Mostly nothing to drop (a look prunes a few minutes of runs): told by the oldest of each without a search.
    if ((this.endsCol.length === 0 || this.endsCol.at(0) >= ms) && (this.stops.length === 0 || this.stops.at(0) >= ms)) return;
    const ends = firstFrom(this.endsCol, ms);
    const kept = firstFrom(this.stops, ms);
    if (ends === 0 && kept === 0) return;
    this.endsCol.dropFirst(ends);
    for (let k = 0; k < kept; k++) this.perCode[this.codes[k]!]!--;
    this.codes.copyWithin(0, kept, this.stops.length);
    this.stops.dropFirst(kept);
    this.durations.dropFirst(kept);
    this.shrinkCodes();
    this.version++;
  }

  /** The durations kept, oldest first (by stop), each with its kind of day (undefined: a negative one). */
  durationsKept(): { durations: number[]; buckets: Array<DurationBucket | undefined> } {
    const durations: number[] = [];
    const buckets: Array<DurationBucket | undefined> = [];
    for (let k = 0; k < this.stops.length; k++) {
      durations.push(this.durations.at(k));
      buckets.push(BUCKETS[this.codes[k]!]);
    }
    return { durations, buckets };
  }

  /** When its successful runs ended, oldest first: the newest SUCCESS_ENDS. */
  ends(): number[] {
    return Array.from({ length: this.endsCol.length }, (_, k) => this.endsCol.at(k));
  }
  /** Nothing kept: no successful run. */
  get empty(): boolean {
    return this.endsCol.length === 0;
  }
  get endCount(): number {
    return this.endsCol.length;
  }
  lastEnd(): number | undefined {
    return this.endsCol.length > 0 ? this.endsCol.at(this.endsCol.length - 1) : undefined;
  }

  /** The bytes its columns take. */
  bytes(): number {
    return this.stops.bytes + this.durations.bytes + this.codes.byteLength + this.endsCol.bytes + this.perCode.byteLength;
  }

  private addEnd(stopMs: number): boolean {
    const full = this.endsCol.length >= this.maxEnds;
    // Older than every end kept while full: not among the newest.
    if (full && stopMs < this.endsCol.at(0)) return false;
    this.endsCol.insert(after(this.endsCol, stopMs), stopMs);
    if (full) this.endsCol.dropFirst(1);
    return true;
  }

  private addDuration(stopMs: number, durationMs: number, startMs: number): boolean {
    const code = Number.isFinite(durationMs) && durationMs >= 0 ? codeOf(durationBucketOf(startMs, this.zone)) : NEGATIVE;
    let oldest = -1;
    if (this.perCode[code]! >= this.window) {
      oldest = this.codes.indexOf(code);
      // Older than the newest `window` of its kind: it would not be learned from.
      if (stopMs < this.stops.at(oldest)) return false;
    }
    const at = after(this.stops, stopMs);
    const n = this.stops.length;
    if (n === this.codes.length) {
      const grown = new Uint8Array(grownCapacity(n));
      grown.set(this.codes.subarray(0, n));
      this.codes = grown;
    }
    this.codes.copyWithin(at + 1, at, n);
    this.codes[at] = code;
    this.stops.insert(at, stopMs);
    this.durations.insert(at, durationMs);
    this.perCode[code]!++;
    if (oldest >= 0) this.removeAt(oldest);
    return true;
  }

  private removeAt(k: number): void {
    this.perCode[this.codes[k]!]!--;
    this.codes.copyWithin(k, k + 1, this.stops.length);
    this.stops.remove(k);
    this.durations.remove(k);
    this.shrinkCodes();
  }

  /** The codes shrink with the columns: once less than half used, to a quarter more than is held. */
  private shrinkCodes(): void {
    const n = this.stops.length;
    if (n < this.codes.length / 2 && this.codes.length > 4) this.codes = this.codes.slice(0, Math.max(4, Math.ceil(n * 1.25)));
  }
}

/** The index after every value at or before `ms` (a run goes after those that stopped at the same time, as kept lists order them). */
function after(col: MsColumn, ms: number): number {
  let lo = 0;
  let hi = col.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col.at(mid) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is at or after `ms`. */
function firstFrom(col: MsColumn, ms: number): number {
  let lo = 0;
  let hi = col.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col.at(mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A learner fed every run of `runs` (the PostgreSQL look's lists, read afresh each look). */
export function learnerOf(runs: Iterable<KeptRun>, zone: string): RunLearner {
  const l = new RunLearner(zone);
  for (const r of runs) l.add(r);
  return l;
}
