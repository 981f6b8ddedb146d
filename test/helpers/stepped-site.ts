// A simulated site on a stepped clock (src/platform/core/stepped-clock.ts): any site file, its triggers, schedules, run
// durations and reloads on one discrete-event clock, so days pass in seconds and one seed gives one history.
import { join } from "node:path";
import { createSteppedClock, type SteppedClock } from "../../src/platform/core/stepped-clock";
import { type Simulator, startSimulator } from "../../src/sim";
import { simCertDir } from "./sim-certs";

export interface SteppedSite {
  clock: SteppedClock;
  sim: Simulator;
  /** Every run that ended, in order: simulated start and stop, task name, QRS status (7 succeeded, 8 failed…). */
  finished: Array<{ startMs: number; stopMs: number; task: string; status: number }>;
}

/**
 * Starts the simulator on a stepped clock from `startMs`; `site` is YAML (default: the demo site). Steward can share
 * `clock`. `cloud` adds the simulated Qlik Cloud tenant, its scheduled tasks on the same clock.
 */
export async function startSteppedSite(
  dir: string,
  startMs: number,
  site?: string,
  opts: { cloud?: boolean; keepExecutionResults?: number } = {},
): Promise<SteppedSite> {
  const clock = createSteppedClock(startMs);
  const sim = await startSimulator({
    ...(site ? { site } : {}),
    certDir: simCertDir(join(dir, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    ...(opts.cloud ? { cloudPort: 0 } : {}),
    ...(opts.keepExecutionResults !== undefined ? { keepExecutionResults: opts.keepExecutionResults } : {}),
    schedules: true,
    clock,
  });
  const finished: SteppedSite["finished"] = [];
  const lastEnded = lastEndedExecution(sim);
  sim.tasks.onFinished((taskId, status) => {
    const task = sim.repo.tasks.get(taskId);
    const last = lastEnded(taskId);
    finished.push({ startMs: last?.startMs ?? -1, stopMs: last?.stopMs ?? -1, task: task?.model.name ?? taskId, status });
  });
  return { clock, sim, finished };
}

type Execution = Parameters<Simulator["repo"]["addExecution"]>[0];

/**
 * A task's last execution result (in the order they were added) that has ended and is still kept: what a scan of
 * every result kept answers, from the last few each task added (a ×50 site keeps 11,600 results and ends 18,000 runs
 * a day, and the scan cost more than the rest of the helper). Falls back to the scan when none of those qualifies.
 */
function lastEndedExecution(sim: Simulator): (taskId: string) => Execution | undefined {
  const recent = new Map<string, Execution[]>();
  const add = sim.repo.addExecution.bind(sim.repo);
  sim.repo.addExecution = (rec) => {
    const list = recent.get(rec.taskId) ?? [];
    recent.set(rec.taskId, list);
    list.push(rec);
    if (list.length > 8) list.shift();
    add(rec);
  };
  return (taskId) => {
    const list = recent.get(taskId) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      if (e.stopMs !== undefined && sim.repo.executions.get(e.id) === e) return e;
    }
    return [...sim.repo.executions.values()].filter((e) => e.taskId === taskId && e.stopMs !== undefined).at(-1);
  };
}

/**
 * Points the simulator's Scheduler (every node's appenders) at a UDP port on loopback and holds simulated time while
 * a datagram is on its way: sent by the simulator but not yet counted by `received` (Steward's intake counter).
 * Without it a run's end could be followed by a jump of hours before Steward heard of it. `target` is where the
 * datagrams go (Steward's port, or a relay in front of it); both count every copy.
 */
export function sendDatagramsTo(site: SteppedSite, target: { host: string; port: number }, received: () => number, opts: { besides?: boolean } = {}): void {
  // `besides`: one more Steward of a cluster, each hearing every datagram, as one log4net appender per Steward would.
  site.sim.settings.udp.targets = opts.besides ? [...site.sim.settings.udp.targets, target] : [target];
  const key = `${target.host}:${target.port}`;
  const before = received() - site.sim.udp.sentTo(key);
  site.clock.addIdleProbe(`datagrams from the simulator's Scheduler on their way to ${key}`, () => site.sim.udp.sentTo(key) + before <= received());
}
