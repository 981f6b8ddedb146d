// What one watchdog look costs in Steward's process, for the split rich-site bench (scripts/bench-rich-site-peer.ts),
// measured apart (issue 89): the process's CPU (every thread: the look's own on the main thread, and the collector's
// and the compilers' beside it), the main thread's alone, the wall time from start to end and, of that, the time the
// main thread was ready to run but waited for a core (the other processes on the machine: the simulator answering
// the look's QRS requests, other work). The process's CPU is not the look's latency, and it does not count the
// simulator's; on a loaded machine the wall time is mostly the wait for a core.
import { existsSync, readFileSync } from "node:fs";

export interface LookCost {
  /** CPU of Steward's process, every thread, ms. */
  cpuMs: number;
  /** CPU of its main thread (where the look's JavaScript runs), ms. */
  threadMs: number;
  wallMs: number;
  /** Of the wall time, the main thread's time ready to run while other work had the cores, ms. */
  waitMs: number;
  /**
   * 1 when the look began with no connection to QRS open, so it opened one (TLS, resuming a session): a second of
   * wall time without a QRS request closes them (src/platform/qlik/idle-agent.ts), so how many looks do depends on how
   * fast the machine runs the simulated minutes between them. On a real site looks are a minute apart: every one.
   */
  cold: number;
}

/** The main thread's time runnable but waiting for a core so far (Linux schedstat, nanoseconds), ms; 0 elsewhere. */
function coreWaitMs(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6;
  } catch {
    return 0;
  }
}

/** This process's established TCP connections to `port` on loopback (the client side: the remote port is QRS's). */
export function connectionsTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const rows = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((f) => (existsSync(f) ? readFileSync(f, "utf8").split("\n").slice(1) : []));
  return rows.filter((row) => {
    const cols = row.trim().split(/\s+/);
    return cols[2]?.endsWith(`:${hex}`) && cols[3] === "01";
  }).length;
}

const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Starts measuring a look (Steward's QRS at `qrsPort`); the function returned ends it. */
export function startLook(qrsPort: number): () => LookCost {
  const cold = connectionsTo(qrsPort) === 0 ? 1 : 0;
  const cpu = process.cpuUsage();
  const thread = process.threadCpuUsage();
  const wall = performance.now();
  const wait = coreWaitMs();
  return () => ({
    cpuMs: ms(process.cpuUsage(cpu)),
    threadMs: ms(process.threadCpuUsage(thread)),
    wallMs: performance.now() - wall,
    waitMs: coreWaitMs() - wait,
    cold,
  });
}
