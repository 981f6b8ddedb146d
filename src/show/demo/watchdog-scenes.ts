// The demo's two scenes for the watchdog, within its first minute: a run that should have started and did not
// (the node that runs the task is down when its trigger falls due, through the simulator's control API, as when
// a Qlik Sense node is down) and a reload that hangs far past its usual duration (it ran quickly three times,
// then runs for a minute). Both are real to the watchdog: it reads them from QRS like on a site.
import { wallClock } from "../../platform/core/clock";
import type { Simulator, TaskModel } from "../../sim";
import { DEMO_HUNG_TASK, DEMO_MISSED_TASK, DEMO_MISSED_TRIGGER } from "./demo-site";
import type { DemoTerminal } from "./terminal";

export type Later = (ms: number, fn: () => void) => void;
export type Run = (task: TaskModel, durationMs: number, why: string) => void;

export interface WatchdogScenes {
  /** Tasks the scenes drive: the story's rounds leave them alone, so a round does not answer the missed start. */
  taskIds: ReadonlySet<string>;
  start(later: Later, run: Run): void;
}

/** The quick runs the watchdog learns the hung task's usual duration from (watchdog.runningLong.minRuns in config/demo.yaml). */
const LEARNING_RUNS = [3_000, 6_000, 9_500];
const QUICK_MS = 1_200;
const HANG_AT_MS = 13_000;
const HANG_MS = 60_000;
/** The missed start is the first due time at least this far off (the node goes down shortly before it). */
const MISS_AFTER_MS = 15_000;
const DOWN_BEFORE_MS = 10_000;
const UP_AFTER_MS = 3_000;

export function createWatchdogScenes(sim: Simulator, term: DemoTerminal, now: () => number = () => wallClock.now()): WatchdogScenes {
  const hung = sim.site.tasks.find((t) => t.name === DEMO_HUNG_TASK);
  const missed = sim.site.tasks.find((t) => t.name === DEMO_MISSED_TASK);
  const trigger = missed?.triggers.find((t) => t.name === DEMO_MISSED_TRIGGER);
  const node = sim.site.nodes.find((n) => n.id === missed?.nodeId);
  const taskIds = new Set([hung?.id, missed?.id].filter((id): id is string => id !== undefined));

  const setNode = async (state: "down" | "up") => {
    const res = await fetch(`${sim.urls.control}/nodes/${encodeURIComponent(node!.name)}/${state}`, { method: "POST" });
    if (!res.ok) throw new Error(`the simulator answered ${res.status} to node ${state}`);
  };
  const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

  const missedScene = (later: Later) => {
    if (!missed || !trigger || !node) return;
    const period = 2 * 60_000;
    let due = sim.repo.tasks.get(missed.id.toLowerCase())?.triggerNextMs.get(trigger.id);
    if (due === undefined) return;
    while (due < now() + MISS_AFTER_MS) due += period;
    const dueAt = due;
    later(Math.max(0, dueAt - DOWN_BEFORE_MS - now()), () => {
      setNode("down").then(
        () =>
          term.note(
            `simulator: node ${node.name} is down, so its Scheduler will not start "${missed.name}" at ${clock(dueAt)} (trigger "${trigger.name}"); the watchdog raises task.missed once the start is past its grace`,
          ),
        (err: unknown) => term.note(`simulator: node ${node.name} could not be taken down: ${String(err)}`),
      );
    });
    later(dueAt + UP_AFTER_MS - now(), () => {
      setNode("up").then(
        () => term.note(`simulator: node ${node.name} is up again; the trigger's next start runs and closes the alert (task.on_track)`),
        (err: unknown) => term.note(`simulator: node ${node.name} could not be brought up: ${String(err)}`),
      );
    });
  };

  const hungScene = (later: Later, run: Run) => {
    if (!hung) return;
    for (const at of LEARNING_RUNS) later(at, () => run(hung, QUICK_MS, "demo: the watchdog learns its usual duration"));
    later(HANG_AT_MS, () => run(hung, HANG_MS, `demo: this reload hangs for ${HANG_MS / 1000} s, far past its usual ${QUICK_MS / 1000} s`));
  };

  return {
    taskIds,
    start(later, run) {
      missedScene(later);
      hungScene(later, run);
    },
  };
}
