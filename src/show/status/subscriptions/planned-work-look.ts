// The look for planned work to tell ahead (planned-work.ts): every LOOK_MS on every Steward, from the maintenance windows,
// the promises and the watchdog's view of Qlik's next task starts. Each notice's key is claimed in the store, so the
// subscribers get one mail though several Stewards look (only the one holding the watchdog's lease sees the tasks).
import type { Logger } from "pino";
import { type Clock, every } from "../../../platform/core/clock";
import { describeError } from "../../../platform/core/errors";
import type { Component } from "../../../platform/core/lifecycle";
import type { CompiledWindow } from "../../../tell/maintenance/windows";
import type { Freshness } from "../../../watch/freshness";
import type { TaskView } from "../../../watch/watchdog/evaluate";
import { plannedWorkNotices, tasksToPlace } from "./planned-work";
import type { NoticeText } from "./words";

const LOOK_MS = 5 * 60_000;

export interface PlannedWorkLookDeps {
  windows: readonly CompiledWindow[];
  chainTasks: () => readonly TaskView[];
  freshness: Freshness;
  host: string;
  /** The node a task's last run ran on (the watchdog's stored runs), so a window over a reload node holds its tasks. */
  lastNodeOf?: (taskId: string) => Promise<string | undefined>;
  clock: Clock;
  log: Logger;
  timeZone(): string;
  tell(n: NoticeText): Promise<void>;
}

export function createPlannedWorkLook(d: PlannedWorkLookDeps): Component & { look(): Promise<void> } {
  let stop: (() => void) | undefined;
  async function look(): Promise<void> {
    const tasks = d.chainTasks();
    if (d.windows.length === 0 || tasks.length === 0) return;
    const promises = d.freshness.service.promises().filter((p) => p.deadlines !== undefined);
    const apps = (await d.freshness.store.apps()).flatMap((a) => {
      const names = new Set(d.freshness.promisesOf(a));
      const ps = promises.filter((p) => names.has(p.name)).map((p) => ({ name: p.name, deadlineAfter: (t: number) => p.deadlines!.after(t) }));
      return ps.length > 0 ? [{ ...a, promises: ps }] : [];
    });
    const at = { windows: d.windows, tasks, zone: d.timeZone(), nowMs: d.clock.now() };
    const nodes = new Map<string, string>();
    for (const id of d.lastNodeOf ? tasksToPlace(at) : []) {
      const node = await d.lastNodeOf!(id);
      if (node) nodes.set(id, node);
    }
    const notices = plannedWorkNotices({ ...at, apps, nodes, host: d.host });
    for (const n of notices) await d.tell(n);
  }
  const guarded = () => look().catch((err) => d.log.warn({ err: describeError(err) }, "planned work: could not tell the subscribers; trying again"));
  return {
    name: "status-planned-work",
    look,
    start() {
      stop = every(d.clock, LOOK_MS, guarded);
    },
    stop() {
      stop?.();
    },
  };
}
