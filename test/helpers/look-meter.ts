// What one watchdog look costs in Steward's process, for the split rich-site bench (scripts/bench-rich-site-peer.ts),
// measured apart (issue 89): the process's CPU (every thread: the look's own on the main thread, and the collector's
// and the compilers' beside it), the main thread's alone, the wall time from start to end and, of that, the time the
// main thread was ready to run but waited for a core (the other processes on the machine: the simulator answering
// the look's QRS requests, other work). The process's CPU is not the look's latency, and it does not count the
// simulator's; on a loaded machine the wall time is mostly the wait for a core.
import { readFileSync } from "node:fs";
import { Agent } from "node:https";

export interface LookCost {
  /** CPU of Steward's process, every thread, ms. */
  cpuMs: number;
  /** CPU of its main thread (where the look's JavaScript runs), ms. */
  threadMs: number;
  wallMs: number;
  /** Of the wall time, the main thread's time ready to run while other work had the cores, ms. */
  waitMs: number;
  /** TLS connections to QRS opened during the look (a quiet second closes them, src/platform/qlik/idle-agent.ts). */
  connections: number;
}

/** The main thread's time runnable but waiting for a core so far (Linux schedstat, nanoseconds), ms; 0 elsewhere. */
function coreWaitMs(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6;
  } catch {
    return 0;
  }
}

let connections = 0;
let counting = false;
/** Counts every connection an https Agent opens in this process (QRS's; the look's are those during it). */
function countConnections(): void {
  if (counting) return;
  counting = true;
  const open = Agent.prototype.createConnection;
  Agent.prototype.createConnection = function (this: Agent, ...args: Parameters<typeof open>) {
    connections++;
    return open.apply(this, args);
  } as typeof open;
}

const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Starts measuring a look; the function returned ends it. */
export function startLook(): () => LookCost {
  countConnections();
  const cpu = process.cpuUsage();
  const thread = process.threadCpuUsage();
  const wall = performance.now();
  const wait = coreWaitMs();
  const opened = connections;
  return () => ({
    cpuMs: ms(process.cpuUsage(cpu)),
    threadMs: ms(process.threadCpuUsage(thread)),
    wallMs: performance.now() - wall,
    waitMs: coreWaitMs() - wait,
    connections: connections - opened,
  });
}
