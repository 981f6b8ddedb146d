// The demo's script: which simulated Qlik Sense tasks run when. It opens with one task of each kind and
// outcome (a failure first, so an alert shows within seconds), the watchdog's two scenes, a failed hub reload and a
// backed-up Scheduler queue (outside-scenes.ts), then runs the site's tasks in turn.
import { type Timer, wallClock } from "../../platform/core/clock";
import type { Simulator, TaskModel } from "../../sim";
import type { DemoTerminal } from "./terminal";
import { createWatchdogScenes } from "./watchdog-scenes";
import { createOutsideScenes } from "./outside-scenes";

export interface DemoStory {
  start(): void;
  stop(): void;
}

export interface StoryOptions {
  /** Pause between runs once the opening is over. */
  intervalMs?: number;
}

type Pick = (t: TaskModel) => boolean;
const RELOAD = 0;
const EXTERNAL = 1;
const USER_SYNC = 2;
const DISTRIBUTE = 3;
const PRELOAD = 4;

const is =
  (type: number, outcome: "succeed" | "fail" | "abort", noRetries = false): Pick =>
  (t) =>
    t.enabled && (t.taskType as number) === type && t.outcome === outcome && (!noRetries || t.maxRetries === 0);

/** The opening: [delay from start in ms, which task, run duration in ms]. */
const OPENING: Array<[number, Pick, number]> = [
  [800, is(RELOAD, "fail", true), 1_200],
  [2_500, is(RELOAD, "succeed"), 1_500],
  [4_500, is(RELOAD, "abort"), 2_400],
  [7_000, is(EXTERNAL, "fail", true), 1_000],
  [9_000, is(USER_SYNC, "succeed"), 1_200],
  [11_000, is(PRELOAD, "fail", true), 1_000],
  [13_000, is(DISTRIBUTE, "succeed"), 1_500],
  [15_000, (t) => t.enabled && (t.taskType as number) === RELOAD && t.outcome === "fail" && t.maxRetries > 0, 700],
];

/** The demo site's durations are already 1/20 of the fixture's (demo-site.ts); a round plays them within 0.8–3 s. */
const playDuration = (ms: number) => Math.min(3_000, Math.max(800, ms));

export function createDemoStory(sim: Simulator, term: DemoTerminal, opts: StoryOptions = {}): DemoStory {
  const interval = opts.intervalMs ?? 12_000;
  const timers = new Set<Timer>();
  const scenes = createWatchdogScenes(sim, term);
  const outside = createOutsideScenes(sim, term);
  const played = new Set([...scenes.taskIds, ...outside.taskIds]);
  const enabled = sim.site.tasks.filter((t) => t.enabled && !played.has(t.id));
  let next = 0;
  let stopped = false;

  const later = (ms: number, fn: () => void) => {
    const t = wallClock.setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };

  const run = (task: TaskModel, durationMs: number, why: string) => {
    const r = sim.tasks.start(task.id, { durationMs });
    if (r.started) term.started(task.name, why);
    else term.note(`${task.name} not started (${r.reason})`);
  };

  const cycle = () => {
    // The next task in turn that is not running already (a Steward schedule may have started it).
    for (let i = 0; i < enabled.length; i++) {
      const task = enabled[next++ % enabled.length]!;
      if (sim.tasks.isRunning(task.id)) continue;
      run(task, playDuration(task.durationMs), "demo round");
      break;
    }
    later(interval, cycle);
  };

  return {
    start() {
      const used = new Set<string>();
      let last = 0;
      for (const [delay, pick, duration] of OPENING) {
        const task = sim.site.tasks.find((t) => pick(t) && !used.has(t.id) && !played.has(t.id));
        if (!task) continue;
        used.add(task.id);
        last = delay;
        later(delay, () => run(task, duration, "demo opening"));
      }
      // One Qlik Cloud reload fails too, next to the site's: polled from the tenant, alerted the same way.
      const cloudApp = sim.cloud ? sim.site.apps[0] : undefined;
      if (sim.cloud && cloudApp)
        later(5_500, () => {
          sim.cloud!.runReload(cloudApp.id, "fail", { type: "hub" });
          term.started(`${cloudApp.name} (Qlik Cloud reload)`, "demo opening");
        });
      scenes.start(later, run);
      outside.start(later, run);
      later(last + interval, cycle);
    },
    stop() {
      stopped = true;
      for (const t of timers) wallClock.clearTimeout(t);
      timers.clear();
    },
  };
}
