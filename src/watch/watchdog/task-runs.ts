// One task's kept runs as columns (kept-runs.ts): when it stopped, how long before that the Scheduler triggered it
// and it got an engine, and its status; in stop order, runs that stopped at the same millisecond in the order they
// came (as the store's index keeps them). 17 bytes a run, where an object with its id, task and app strings took
// about 400: the two times before the stop are whole milliseconds within 24 days, four bytes each (a value that is
// not widens that column of the task to the times themselves, 8 bytes; a status beyond a byte widens its column).
import { type KeptRun, type RunList, runAt } from "./run-list";

export interface TaskRuns extends RunList {
  readonly version: number;
  /** Puts `run` in its place in stop order, after the runs that stopped at the same time. Mostly an append. */
  insert(run: KeptRun): void;
  /** Drops the runs that stopped before `ms` (the oldest ones); `keepLast`: all but the newest run at the most. */
  dropBefore(ms: number, keepLast?: boolean): void;
  /** The runs that stopped at or after `ms`: this list itself when that is all of them; undefined when none. */
  from(ms: number): RunList | undefined;
  /** The bytes the columns take, their spare capacity included. */
  bytes(): number;
}

const MIN_CAPACITY = 4;

/** A status that a signed byte holds as it is. */
const fitsByte = (s: number) => Number.isInteger(s) && s >= -128 && s <= 127;
/** In a narrow column of times before the stop: the run has no start. */
const NO_START = -0x80000000;
/** Milliseconds before the stop that a narrow column holds (NO_START aside). */
const fitsBefore = (ms: number) => Number.isInteger(ms) && ms > NO_START && ms <= 0x7fffffff;

/**
 * A column of times: narrow (Int32Array), each the milliseconds before its run's stop, or wide (Float64Array), the
 * times themselves (NaN: no start), once one did not fit.
 */
type TimeColumn = Int32Array | Float64Array;

/** `column` with room for `capacity`, holding its first `n` values. */
function resized<C extends Int8Array | TimeColumn>(column: C, capacity: number, n: number): C {
  const b = new (column.constructor as new (length: number) => C)(capacity);
  b.set(column.subarray(0, n) as never);
  return b;
}

/** The wide form of a narrow column (every value made a time again), or the column itself when already wide. */
function widened(column: TimeColumn, stop: Float64Array, n: number): Float64Array {
  if (column instanceof Float64Array) return column;
  const b = new Float64Array(column.length);
  for (let k = 0; k < n; k++) b[k] = column[k] === NO_START ? Number.NaN : stop[k]! - column[k]!;
  return b;
}

/**
 * A class, not closures: one object and four arrays a task, its methods shared (at 5,800 tasks, closures per task
 * cost more than a day of their runs).
 */
class ColumnRuns implements TaskRuns {
  private n = 0;
  private changes = 0;
  private created: TimeColumn = new Int32Array(MIN_CAPACITY);
  /** No start (NO_START, or NaN once wide): the run never got an engine. */
  private start: TimeColumn = new Int32Array(MIN_CAPACITY);
  private stop = new Float64Array(MIN_CAPACITY);
  private statuses: Int8Array | Float64Array = new Int8Array(MIN_CAPACITY);

  constructor(readonly taskId: string) {}

  get length(): number {
    return this.n;
  }
  get version(): number {
    return this.changes;
  }
  status(k: number): number {
    return this.statuses[k]!;
  }
  createdMs(k: number): number {
    const c = this.created;
    return c instanceof Int32Array ? this.stop[k]! - c[k]! : c[k]!;
  }
  startMs(k: number): number | undefined {
    const s = this.start;
    if (s instanceof Int32Array) return s[k] === NO_START ? undefined : this.stop[k]! - s[k]!;
    return Number.isNaN(s[k]!) ? undefined : s[k]!;
  }
  stopMs(k: number): number {
    return this.stop[k]!;
  }
  rows(): KeptRun[] {
    return Array.from({ length: this.n }, (_, k) => runAt(this, k));
  }

  insert(run: KeptRun): void {
    const n = this.n;
    if (n === this.stop.length) this.resize(Math.max(MIN_CAPACITY, Math.ceil(n * 1.5)));
    if (this.statuses instanceof Int8Array && !fitsByte(run.status)) this.statuses = Float64Array.from(this.statuses);
    const createdBefore = run.stopMs - run.createdMs;
    const startBefore = run.startMs === undefined ? undefined : run.stopMs - run.startMs;
    if (!fitsBefore(createdBefore) || !Number.isInteger(run.stopMs)) this.created = widened(this.created, this.stop, n);
    if ((startBefore !== undefined && !fitsBefore(startBefore)) || !Number.isInteger(run.stopMs)) this.start = widened(this.start, this.stop, n);
    const at = n === 0 || this.stop[n - 1]! <= run.stopMs ? n : this.firstFrom(run.stopMs, true);
    if (at < n) for (const c of this.columns()) c.copyWithin(at + 1, at, n);
    if (this.created instanceof Int32Array) this.created[at] = createdBefore;
    else this.created[at] = run.createdMs;
    if (this.start instanceof Int32Array) this.start[at] = startBefore ?? NO_START;
    else this.start[at] = run.startMs ?? Number.NaN;
    this.stop[at] = run.stopMs;
    this.statuses[at] = run.status;
    this.n++;
    this.changes++;
  }

  dropBefore(ms: number, keepLast = false): void {
    const gone = Math.min(this.firstFrom(ms), keepLast ? this.n - 1 : this.n);
    if (gone <= 0) return;
    for (const c of this.columns()) c.copyWithin(0, gone, this.n);
    this.n -= gone;
    this.changes++;
    if (this.n < this.stop.length / 2 && this.stop.length > MIN_CAPACITY) this.resize(Math.max(MIN_CAPACITY, Math.ceil(this.n * 1.25)));
  }

  from(ms: number): RunList | undefined {
    if (this.n === 0) return undefined;
    if (this.stop[0]! >= ms) return this;
    const first = this.firstFrom(ms);
    return first < this.n ? windowOf(this, first) : undefined;
  }

  bytes(): number {
    return this.columns().reduce((sum, c) => sum + c.byteLength, 0);
  }

  private columns(): Array<Int8Array | TimeColumn> {
    return [this.created, this.start, this.stop, this.statuses];
  }

  /** The columns at `capacity`, holding the first `n` runs; grown by half again when full, shrunk to a quarter more once half is used. */
  private resize(capacity: number): void {
    this.created = resized(this.created, capacity, this.n);
    this.start = resized(this.start, capacity, this.n);
    this.stop = resized(this.stop, capacity, this.n);
    this.statuses = resized(this.statuses, capacity, this.n);
  }

  /** The first index whose run stopped at or after `ms` (`after`: after `ms`). */
  private firstFrom(ms: number, after = false): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.stop[mid]!;
      if (s < ms || (after && s === ms)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export const createTaskRuns = (taskId: string): TaskRuns => new ColumnRuns(taskId);

/**
 * The runs of `list` from index `first` on, as they are now (a copy of the numbers, as a slice of the old lists was):
 * a look reads it while nothing is written, and it is never the same list twice.
 */
function windowOf(list: RunList, first: number): RunList {
  const n = list.length - first;
  const created = new Float64Array(n);
  const start = new Float64Array(n);
  const stop = new Float64Array(n);
  const status = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    created[k] = list.createdMs(first + k);
    start[k] = list.startMs(first + k) ?? Number.NaN;
    stop[k] = list.stopMs(first + k);
    status[k] = list.status(first + k);
  }
  const window: RunList = {
    taskId: list.taskId,
    length: n,
    version: undefined,
    status: (k) => status[k]!,
    createdMs: (k) => created[k]!,
    startMs: (k) => (Number.isNaN(start[k]!) ? undefined : start[k]!),
    stopMs: (k) => stop[k]!,
    rows: () => Array.from({ length: n }, (_, k) => runAt(window, k)),
  };
  return window;
}
