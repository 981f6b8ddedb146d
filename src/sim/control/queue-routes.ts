// Control routes of each node's Scheduler queue: its settings as QRS serves them (schedulerservice: Max concurrent
// reloads and the queue's engine timeout), what runs and what waits now, and the simulator's own hour-by-hour count of
// runs in progress and waiting (what a test compares a report's busiest hours with).
import { z } from "zod";
import { iso } from "../util/time";
import { json } from "../util/http";
import type { ControlDeps, ControlRouter } from "./control-deps";
import { BadRequest, parse } from "./control-errors";
import type { NodeModel } from "../site/model";

export const QUEUE_ENDPOINTS = ["GET /nodes/{node}/scheduler", "PATCH /nodes/{node}/scheduler", "GET /nodes/{node}/load"];

const SchedulerPatchSchema = z.strictObject({
  maxConcurrentEngines: z.int().min(1).max(256).optional(),
  engineTimeout: z.int().min(0).max(10_080).optional(),
  /** `DIRECTORY\userid` shown as the settings' modifiedByUserName. */
  modifiedBy: z.string().min(1).optional(),
});

const HOUR = 3_600_000;

export function addQueueRoutes(r: ControlRouter, deps: ControlDeps, node: (ref: string) => NodeModel): void {
  const { runner } = deps;
  const view = (n: NodeModel) => {
    const q = runner.queue(n.id);
    return {
      node: n.name,
      hostName: n.hostName,
      maxConcurrentEngines: n.scheduler.maxConcurrentEngines,
      engineTimeout: n.scheduler.engineTimeout,
      running: q.running,
      queued: q.queued.map((w) => ({ taskId: w.taskId, executionId: w.executionId, queuedAt: iso(w.queuedMs) })),
    };
  };
  r.add("GET", "/nodes/:node/scheduler", (_c, p) => json(200, view(node(p.node!))));
  r.add("PATCH", "/nodes/:node/scheduler", (c, p) => {
    const n = node(p.node!);
    const b = parse(SchedulerPatchSchema, c.body);
    if (b.maxConcurrentEngines !== undefined) n.scheduler.maxConcurrentEngines = b.maxConcurrentEngines;
    if (b.engineTimeout !== undefined) n.scheduler.engineTimeout = b.engineTimeout;
    n.scheduler.modifiedMs = deps.now();
    n.scheduler.modifiedBy = b.modifiedBy ?? "INTERNAL\\sa_repository";
    runner.schedulerChanged(n.id);
    return json(200, view(n));
  });
  // ?from=ISO&to=ISO (default: the last 7 days up to now): each hour the node had runs, in UTC.
  r.add("GET", "/nodes/:node/load", (c, p) => {
    const n = node(p.node!);
    const now = deps.now();
    const time = (name: string, fallback: number) => {
      const v = c.url.searchParams.get(name);
      if (v === null) return fallback;
      const ms = Date.parse(v);
      if (!Number.isFinite(ms)) throw new BadRequest(`${name} must be an ISO-8601 time`, [`${name}: ${v}`]);
      return ms;
    };
    const to = time("to", now);
    const from = time("from", to - 7 * 86_400_000);
    return json(200, {
      node: n.name,
      hostName: n.hostName,
      hours: runner.load.hours(n.id, from, to, now).map((h) => ({
        hour: iso(h.hourMs),
        running: h.runningMs / HOUR,
        waiting: h.waitingMs / HOUR,
        runningMs: h.runningMs,
        waitingMs: h.waitingMs,
        peakRunning: h.peakRunning,
        peakWaiting: h.peakWaiting,
      })),
    });
  });
}
