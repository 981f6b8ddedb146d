// What one test file costs, for `npm test -- --cpu-report` (global-teardown.ts writes a line per file): the CPU of
// this worker and of the children it reaped (Stewards, PostgreSQL, builds: /proc/self/stat's cutime and cstime), plus
// the CPU of the run's processes no one here reaps: a daemon that left its parent (wineserver, Wine's services.exe
// and the Steward service it starts) is re-parented outside the run, so its time never reaches this process. Those
// are sampled every two seconds while the file runs. Also the time this worker's thread, and the run's other
// processes as sampled, waited for a core while they could have run (schedstat's run delay): wall time the file lost
// to other processes, which an idle machine does not.
import { readdirSync, readFileSync } from "node:fs";
import { RUN_MARK } from "./leftover-processes";

const TICKS_PER_S = 100;
const SAMPLE_EVERY_MS = 2_000;

interface Proc {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

/** Fields of /proc/<pid>/stat after the command name: ppid is the 2nd, utime..cstime the 12th..15th. */
function readStat(pid: string): (Proc & { start: string }) | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]!.split(" ");
    return { ppid: Number(f[1]), ticks: [11, 12, 13, 14].reduce((s, i) => s + Number(f[i]), 0), start: f[19]! };
  } catch {
    return undefined;
  }
}

/** Seconds of CPU of this process and the children it reaped. */
export function ownCpuSeconds(): number {
  return (readStat("self")?.ticks ?? 0) / TICKS_PER_S;
}

/** Seconds this thread was ready to run but waited for a core (0 where schedstat is missing). */
export function runDelaySeconds(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e9;
  } catch {
    return 0;
  }
}

/** A process's wait for a core (its main thread's schedstat), in seconds; 0 when it is gone. */
function delayOf(pid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e9;
  } catch {
    return 0;
  }
}

export interface RunTally {
  /** CPU seconds of the run's daemons (processes whose parent is outside the run). */
  daemonSeconds(): number;
  /** Seconds the run's other processes (children, daemons) waited for a core, as last sampled. */
  childWaitSeconds(): number;
  /** Takes a last sample and stops sampling. */
  stop(): void;
}

/**
 * Samples the processes carrying `mark`: those whose parent is outside the run (neither this process nor a marked
 * one) for their CPU (their own and that of the children they reaped is what cutime here will never hold), and every
 * one for its wait for a core.
 */
export function startRunTally(mark: string): RunTally {
  const self = String(process.pid);
  const needle = `\0${RUN_MARK}=${mark}\0`;
  /** pid:start → whether it carries the mark (a pid is read once: its environment does not change). */
  const marked = new Map<string, boolean>();
  /** pid:start → the most CPU seen of an orphaned marked process. */
  const orphans = new Map<string, number>();
  /** pid:start → the longest wait for a core seen of a marked process. */
  const waits = new Map<string, number>();
  const isMarked = (pid: string, start: string): boolean => {
    const key = `${pid}:${start}`;
    let m = marked.get(key);
    if (m === undefined) {
      try {
        m = `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}\0`.includes(needle);
      } catch {
        m = false;
      }
      marked.set(key, m);
    }
    return m;
  };
  const sample = () => {
    let pids: string[];
    try {
      pids = readdirSync("/proc").filter((e) => e.charCodeAt(0) <= 57 && e !== self);
    } catch {
      return;
    }
    const stats = new Map<string, Proc & { start: string }>();
    for (const pid of pids) {
      const s = readStat(pid);
      if (s) stats.set(pid, s);
    }
    for (const [pid, s] of stats) {
      if (!isMarked(pid, s.start)) continue;
      const key = `${pid}:${s.start}`;
      waits.set(key, Math.max(waits.get(key) ?? 0, delayOf(pid)));
      if (s.ppid === process.pid) continue; // reaped here: in cutime
      const parent = stats.get(String(s.ppid));
      if (parent && isMarked(String(s.ppid), parent.start)) continue; // its parent reaps it and counts it
      orphans.set(key, Math.max(orphans.get(key) ?? 0, s.ticks));
    }
  };
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  // A wall-clock sampler of the test process itself, not of the code under test; unref'd, so it never keeps a
  // worker alive.
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  timer.unref();
  return {
    daemonSeconds: () => sum(orphans) / TICKS_PER_S,
    childWaitSeconds: () => sum(waits),
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}
