// One task's kept runs as columns (kept-runs.ts): when the Scheduler triggered each, when it got an engine, when it
// stopped, and its status; in stop order, runs that stopped at the same millisecond in the order they came (as the
// store's index keeps them). 25 bytes a run (a status beyond a byte widens the task's status column to 8), where an
// object with its id, task and app strings took about 400.
import { type KeptRun, type RunList, runAt } from "./run-list";

export interface TaskRuns extends RunList {
  readonly version: number;
  /** Puts `run` in its place in stop order, after the runs that stopped at the same time. Mostly an append. */
  insert(run: KeptRun): void;
  /** Drops the runs that stopped before `ms` (the oldest ones). */
  dropBefore(ms: number): void;
  /** The runs that stopped at or after `ms`: this list itself when that is all of them; undefined when none. */
  from(ms: number): RunList | undefined;
  /** The bytes the columns take, their spare capacity included. */
  bytes(): number;
}

const MIN_CAPACITY = 4;

/** A status that a signed byte holds as it is. */
const fitsByte = (s: number) => Number.isInteger(s) && s >= -128 && s <= 127;

/**
 * A class, not closures: one object and four arrays a task, its methods shared (at 5,800 tasks, closures per task
 * cost more than a day of their runs).
 */
class ColumnRuns implements TaskRuns {
  private n = 0;
  private changes = 0;
  private created = new Float64Array(MIN_CAPACITY);
  /** NaN: the run has no start (it never got an engine). */
  private start = new Float64Array(MIN_CAPACITY);
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
    return this.created[k]!;
  }
  startMs(k: number): number | undefined {
    const s = this.start[k]!;
    return Number.isNaN(s) ? undefined : s;
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
    const at = n === 0 || this.stop[n - 1]! <= run.stopMs ? n : this.firstFrom(run.stopMs, true);
    if (at < n) for (const c of this.columns()) c.copyWithin(at + 1, at, n);
    this.created[at] = run.createdMs;
    this.start[at] = run.startMs ?? Number.NaN;
    this.stop[at] = run.stopMs;
    this.statuses[at] = run.status;
    this.n++;
    this.changes++;
  }

  dropBefore(ms: number): void {
    const gone = this.firstFrom(ms);
    if (gone === 0) return;
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

  private columns(): Array<Int8Array | Float64Array> {
    return [this.created, this.start, this.stop, this.statuses];
  }

  /** The columns at `capacity`, holding the first `n` runs; grown by half again when full, shrunk to a quarter more once half is used. */
  private resize(capacity: number): void {
    const n = this.n;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, n));
      return b;
    };
    this.created = f64(this.created);
    this.start = f64(this.start);
    this.stop = f64(this.stop);
    if (this.statuses instanceof Int8Array) {
      const b = new Int8Array(capacity);
      b.set(this.statuses.subarray(0, n));
      this.statuses = b;
    } else this.statuses = f64(this.statuses);
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
