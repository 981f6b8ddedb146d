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

export function createTaskRuns(taskId: string): TaskRuns {
  let n = 0;
  let version = 0;
  let created = new Float64Array(MIN_CAPACITY);
  /** NaN: the run has no start (it never got an engine). */
  let start = new Float64Array(MIN_CAPACITY);
  let stop = new Float64Array(MIN_CAPACITY);
  let status: Int8Array | Float64Array = new Int8Array(MIN_CAPACITY);

  /** Columns of `capacity` holding the first `n` runs; grown by half again when full, shrunk to a quarter more once half is used. */
  const resize = (capacity: number) => {
    const move = <T extends Int8Array | Float64Array>(a: T, make: (c: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, n));
      return b;
    };
    const f64 = (c: number) => new Float64Array(c);
    created = move(created, f64);
    start = move(start, f64);
    stop = move(stop, f64);
    status = status instanceof Int8Array ? move(status, (c) => new Int8Array(c)) : move(status, f64);
  };

  /** The first index whose run stopped at or after `ms` (`after`: after `ms`). */
  const firstFrom = (ms: number, after = false) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = stop[mid]!;
      if (s < ms || (after && s === ms)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const list: TaskRuns = {
    taskId,
    get length() {
      return n;
    },
    get version() {
      return version;
    },
    status: (k) => status[k]!,
    createdMs: (k) => created[k]!,
    startMs: (k) => (Number.isNaN(start[k]!) ? undefined : start[k]!),
    stopMs: (k) => stop[k]!,
    rows: () => Array.from({ length: n }, (_, k) => runAt(list, k)),
    insert(run) {
      if (n === stop.length) resize(Math.max(MIN_CAPACITY, Math.ceil(n * 1.5)));
      if (status instanceof Int8Array && !fitsByte(run.status)) status = Float64Array.from(status);
      const at = n === 0 || stop[n - 1]! <= run.stopMs ? n : firstFrom(run.stopMs, true);
      if (at < n) for (const c of [created, start, stop, status]) c.copyWithin(at + 1, at, n);
      created[at] = run.createdMs;
      start[at] = run.startMs ?? Number.NaN;
      stop[at] = run.stopMs;
      status[at] = run.status;
      n++;
      version++;
    },
    dropBefore(ms) {
      const gone = firstFrom(ms);
      if (gone === 0) return;
      for (const c of [created, start, stop, status]) c.copyWithin(0, gone, n);
      n -= gone;
      version++;
      if (n < stop.length / 2 && stop.length > MIN_CAPACITY) resize(Math.max(MIN_CAPACITY, Math.ceil(n * 1.25)));
    },
    from(ms) {
      if (n === 0) return undefined;
      if (stop[0]! >= ms) return list;
      const first = firstFrom(ms);
      return first < n ? windowOf(list, first) : undefined;
    },
    bytes: () => created.byteLength + start.byteLength + stop.byteLength + status.byteLength,
  };
  return list;
}

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
