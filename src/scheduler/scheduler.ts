// The scheduler service: create, update, delete, start/stop (one, all, or in bulk by id or tag) and import
// schedules; every change is persisted at once, audited, and handed to the runner to (re)arm.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import type { SchedulerConfig } from "../config/sections/scheduler";
import type { Clock } from "../core/clock";
import type { EventBus } from "../core/bus";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { TaskStarter } from "../control/types";
import type { DomainEvents } from "../events/types";
import type { Store } from "../store/database";
import { fieldName } from "../http/route";
import { parseButlerScheduleFile, type ImportedSchedule } from "./butler-import";
import { nextFire, compileTiming } from "./next-run";
import { definitionOf, ScheduleInputSchema, stateFromStartup, type Schedule, type ScheduleDefinition, type ScheduleInput, type ScheduleState, type ScheduleUpdate } from "./schedule-model";
import { createScheduleRepo, toSchedule, type ScheduleRepo } from "./schedule-repo";
import { createScheduleRunner } from "./schedule-runner";

export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
  bus: EventBus<DomainEvents>;
  taskStarter: TaskStarter;
}

export interface BulkSelector {
  ids?: string[];
  tags?: string[];
}

export interface ImportReport {
  imported: Schedule[];
  replaced: string[];
  skipped: Array<{ id: string; reason: string }>;
}

export interface Scheduler extends Component {
  list(): Schedule[];
  get(id: string): Schedule | undefined;
  create(input: ScheduleInput, actor: AuditActor): Schedule;
  update(id: string, patch: ScheduleUpdate, actor: AuditActor): Schedule;
  remove(id: string, actor: AuditActor): void;
  setState(id: string, state: ScheduleState, actor: AuditActor): Schedule;
  setAll(state: ScheduleState, actor: AuditActor): Schedule[];
  setMany(selector: BulkSelector, state: ScheduleState, actor: AuditActor): Schedule[];
  importButler(text: string, source: string, onConflict: "skip" | "replace", actor: AuditActor): ImportReport;
  /** Butler's cron-manager status text: one line per schedule with Running/Stopped. */
  statusText(): string;
}

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Validates a complete definition; issues are reported as `body.<field>`. */
export function validateDefinition(input: unknown, defaultTz: string, where = "body"): ScheduleDefinition {
  const parsed = ScheduleInputSchema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: fieldName(where, i.path as PropertyKey[]), message: i.message }));
    throw new AppError("BAD_REQUEST", `${details[0]!.field}: ${details[0]!.message}`, { details });
  }
  return { ...parsed.data, timezone: parsed.data.timezone ?? defaultTz };
}

export function createScheduler(cfg: SchedulerConfig, deps: SchedulerDeps): Scheduler {
  const { clock, audit } = deps;
  const log = deps.log;
  const defaultTz = cfg.defaultTimezone ?? systemTimezone();
  const repo: ScheduleRepo = createScheduleRepo(deps.store.db);
  const runner = createScheduleRunner({
    repo,
    clock,
    log,
    audit,
    metrics: deps.metrics,
    bus: deps.bus,
    taskStarter: deps.taskStarter,
    catchUpLimit: cfg.catchUpLimit,
    storeOpen: () => deps.store.db.isOpen,
  });
  const iso = () => new Date(clock.now()).toISOString();
  deps.metrics.gaugeFn("steward_scheduler_schedules", "Schedules by state.", () =>
    deps.store.db.isOpen
      ? (["started", "stopped"] as const).map((state) => ({ labels: { state }, value: repo.all().filter((r) => r.state === state).length }))
      : [],
  );

  const mustGet = (id: string) => {
    const row = repo.get(id);
    if (!row) throw new AppError("NOT_FOUND", `schedule '${id}' not found`, { details: { id } });
    return row;
  };
  const view = (id: string) => toSchedule(mustGet(id));
  const record = (actor: AuditActor, action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ actor, action, target, result: "ok", ...(details ? { details } : {}) });

  /** A cron schedule that can never fire inside its window (and has no end date) is a mistake worth a 400. */
  function checkFires(def: ScheduleDefinition): void {
    if (def.cronSchedule === undefined || def.timeWindow === undefined || def.endDate !== undefined) return;
    if (nextFire(compileTiming(def), clock.now()) === null) {
      throw new AppError("BAD_REQUEST", "body.timeWindow: the cron schedule never fires inside this window", { details: [{ field: "body.timeWindow", message: "never fires" }] });
    }
  }

  function checkCapacity(adding: number): void {
    if (repo.count() + adding > cfg.maxSchedules) {
      throw new AppError("CONFLICT", `the store already holds the maximum of ${cfg.maxSchedules} schedules (scheduler.maxSchedules)`, { details: { limit: cfg.maxSchedules } });
    }
  }

  function applyState(ids: string[], state: ScheduleState, actor: AuditActor, action: string): Schedule[] {
    const now = iso();
    deps.store.transaction(() => {
      for (const id of ids) repo.setState(id, state, now);
    });
    for (const id of ids) {
      runner.refresh(id);
      record(actor, action, id, { state });
    }
    return ids.map(view);
  }

  function insert(s: ImportedSchedule): void {
    repo.insert({ id: s.id, definition: s.definition, created: s.created, state: s.state });
  }

  return {
    name: "scheduler",
    start: () => runner.start(),
    stop: (budgetMs) => runner.stop(budgetMs),
    list: () => repo.all().map(toSchedule),
    get: (id) => {
      const row = repo.get(id);
      return row ? toSchedule(row) : undefined;
    },
    create(input, actor) {
      const def = validateDefinition(input, defaultTz);
      checkFires(def);
      checkCapacity(1);
      const id = randomUUID();
      insert({ id, definition: def, created: iso(), state: stateFromStartup(def.startupState) });
      runner.refresh(id);
      record(actor, "schedule.create", id, { name: def.name });
      return view(id);
    },
    update(id, patch, actor) {
      const row = mustGet(id);
      const merged: Record<string, unknown> = { ...definitionOf(toSchedule(row)) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else if (v !== undefined) merged[k] = v;
      }
      const def = validateDefinition(merged, defaultTz);
      checkFires(def);
      repo.replaceDefinition(id, def, iso());
      runner.refresh(id);
      record(actor, "schedule.update", id, { fields: Object.keys(patch) });
      return view(id);
    },
    remove(id, actor) {
      mustGet(id);
      runner.forget(id);
      repo.delete(id);
      record(actor, "schedule.delete", id);
    },
    setState(id, state, actor) {
      mustGet(id);
      return applyState([id], state, actor, state === "started" ? "schedule.start" : "schedule.stop")[0]!;
    },
    setAll(state, actor) {
      applyState(repo.all().map((r) => r.id), state, actor, state === "started" ? "schedule.start" : "schedule.stop");
      return repo.all().map(toSchedule);
    },
    setMany(selector, state, actor) {
      const ids = selector.ids ?? [];
      const tags = selector.tags ?? [];
      const missing = ids.filter((id) => !repo.get(id));
      if (missing.length) throw new AppError("NOT_FOUND", `unknown schedule ids: ${missing.join(", ")}; nothing was changed`, { details: { missing } });
      const rows = repo.all().filter((r) => ids.includes(r.id) || r.definition.tags.some((t) => tags.includes(t)));
      return applyState(rows.map((r) => r.id), state, actor, state === "started" ? "schedule.start" : "schedule.stop");
    },
    importButler(text, source, onConflict, actor) {
      const parsed = parseButlerScheduleFile(text, source, defaultTz, clock.now);
      const report: ImportReport = { imported: [], replaced: [], skipped: [] };
      const fresh = parsed.filter((s) => !repo.get(s.id));
      checkCapacity(fresh.length);
      deps.store.transaction(() => {
        for (const s of parsed) {
          if (repo.get(s.id)) {
            if (onConflict === "skip") {
              report.skipped.push({ id: s.id, reason: "a schedule with this id exists (use onConflict=replace)" });
              continue;
            }
            runner.forget(s.id);
            repo.delete(s.id);
            report.replaced.push(s.id);
          }
          insert(s);
        }
      });
      for (const s of parsed) {
        if (report.skipped.some((k) => k.id === s.id)) continue;
        runner.refresh(s.id);
        report.imported.push(view(s.id));
      }
      record(actor, "schedule.import", source, { imported: report.imported.length, replaced: report.replaced.length, skipped: report.skipped.length });
      log.info({ source, imported: report.imported.length, replaced: report.replaced.length, skipped: report.skipped.length }, "imported Butler schedules");
      return report;
    },
    statusText() {
      const lines = repo.all().map((r) => {
        const what = r.definition.cronSchedule ?? `on task ${r.definition.trigger!.on.join("/")}`;
        return `'${r.id}': ${what} status: ${r.state === "started" ? "Running" : "Stopped"} `;
      });
      return `{\n${lines.join("\n")}${lines.length ? "\n" : ""}}`;
    },
  };
}

export const BulkSelectorSchema = z
  .strictObject({
    ids: z.array(z.string().min(1)).optional().describe("Schedule ids."),
    tags: z.array(z.string().min(1)).optional().describe("Every schedule carrying one of these tags."),
  })
  .refine((s) => (s.ids?.length ?? 0) + (s.tags?.length ?? 0) > 0, { message: "give ids or tags" });
