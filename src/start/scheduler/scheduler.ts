// The scheduler service: create, update, delete, start/stop (one, all, or in bulk by id or tag) and import
// schedules; every change is persisted at once, audited, and handed to the runner to (re)arm.
import type { PollInterval } from "../../platform/core/poll-interval";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import type { SchedulerConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { EventBus } from "../../platform/core/bus";
import { AppError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { TaskStarter } from "../control/types";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { fieldName } from "../../platform/http/route";
import { parseButlerScheduleFile, scheduleFileBounds, type ImportedSchedule } from "./butler-import";
import { nextFire, compileTiming } from "./next-run";
import {
  definitionOf,
  ScheduleInputSchema,
  stateFromStartup,
  type Schedule,
  type ScheduleDefinition,
  type ScheduleInput,
  type ScheduleState,
  type ScheduleUpdate,
} from "./schedule-model";
import { createScheduleRepo, toSchedule, type ScheduleRepo, type ScheduleRow } from "./schedule-repo";
import { createScheduleRunner, plannedNextRun, type SchedulerDuty } from "./schedule-runner";

export interface SchedulerDeps {
  /** The store: the SQLite file, or the PostgreSQL store every Steward of a cluster shares. */
  db: SqlDb;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
  bus: EventBus<DomainEvents>;
  taskStarter: TaskStarter;
  /** The cluster's scheduler duty; without it this Steward always leads. */
  duty?: SchedulerDuty;
  /** How often the leader re-reads schedules changed through another Steward (cluster only; default 2 s). */
  syncIntervalMs?: PollInterval;
  /** See RunnerDeps.syncGate. */
  syncGate?: (() => boolean) & { missed(): void };
  /** See RunnerDeps.takeoverGraceMs. */
  takeoverGraceMs?: number;
  /** See RunnerDeps.holdBack. */
  holdBack?: (e: TaskEvent) => Promise<string | undefined>;
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
  list(): Promise<Schedule[]>;
  get(id: string): Promise<Schedule | undefined>;
  create(input: ScheduleInput, actor: AuditActor): Promise<Schedule>;
  update(id: string, patch: ScheduleUpdate, actor: AuditActor): Promise<Schedule>;
  remove(id: string, actor: AuditActor): Promise<void>;
  setState(id: string, state: ScheduleState, actor: AuditActor): Promise<Schedule>;
  setAll(state: ScheduleState, actor: AuditActor): Promise<Schedule[]>;
  setMany(selector: BulkSelector, state: ScheduleState, actor: AuditActor): Promise<Schedule[]>;
  importButler(text: string, source: string, onConflict: "skip" | "replace", actor: AuditActor): Promise<ImportReport>;
  /** Butler's cron-manager status text: one line per schedule with Running/Stopped. */
  statusText(): Promise<string>;
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
  const { clock, audit, db } = deps;
  const log = deps.log;
  // Looked up when a schedule first needs it: the system zone comes from ICU, whose first use costs ~15 ms of a start.
  let systemTz: string | undefined;
  const defaultTz = () => cfg.defaultTimezone ?? (systemTz ??= systemTimezone());
  const repo: ScheduleRepo = createScheduleRepo(db);
  const runner = runnerFor(cfg, deps, repo);
  const iso = () => new Date(clock.now()).toISOString();
  deps.metrics.gaugeFnAsync("steward_scheduler_schedules", "Schedules by state.", async () => {
    if (!db.isOpen) return [];
    const rows = await repo.all();
    return (["started", "stopped"] as const).map((state) => ({ labels: { state }, value: rows.filter((r) => r.state === state).length }));
  });

  const mustGet = async (id: string) => {
    const row = await repo.get(id);
    if (!row) throw new AppError("NOT_FOUND", `schedule '${id}' not found`, { details: { id } });
    return row;
  };
  const view = async (id: string) => toSchedule(await mustGet(id));
  const record = (actor: AuditActor, action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ actor, action, target, result: "ok", ...(details ? { details } : {}) });
  const planned = (def: ScheduleDefinition, state: ScheduleState) => plannedNextRun(def, state, clock.now());

  /** A cron schedule that can never fire inside its window (and has no end date) is a mistake worth a 400. */
  function checkFires(def: ScheduleDefinition): void {
    if (def.cronSchedule === undefined || def.timeWindow === undefined || def.endDate !== undefined) return;
    if (nextFire(compileTiming(def), clock.now()) === null) {
      throw new AppError("BAD_REQUEST", "body.timeWindow: the cron schedule never fires inside this window", {
        details: [{ field: "body.timeWindow", message: "never fires" }],
      });
    }
  }

  async function checkCapacity(adding: number): Promise<void> {
    if ((await repo.count()) + adding > cfg.maxSchedules) {
      throw new AppError("CONFLICT", `the store already holds the maximum of ${cfg.maxSchedules} schedules (scheduler.maxSchedules)`, {
        details: { limit: cfg.maxSchedules },
      });
    }
  }

  async function applyState(rows: ScheduleRow[], state: ScheduleState, actor: AuditActor, action: string): Promise<Schedule[]> {
    const now = iso();
    await db.transaction(async (tx) => {
      const r = repo.in(tx);
      for (const row of rows) await r.setState(row.id, state, now, planned(row.definition, state));
    });
    for (const row of rows) {
      await runner.refresh(row.id);
      record(actor, action, row.id, { state });
    }
    return Promise.all(rows.map((r) => view(r.id)));
  }

  async function insert(s: ImportedSchedule, into: ScheduleRepo = repo): Promise<boolean> {
    return into.insert({ id: s.id, definition: s.definition, created: s.created, state: s.state, nextRunAt: planned(s.definition, s.state) });
  }

  return {
    name: "scheduler",
    start: () => runner.start(),
    stop: (budgetMs) => runner.stop(budgetMs),
    list: async () => (await repo.all()).map(toSchedule),
    get: async (id) => {
      const row = await repo.get(id);
      return row ? toSchedule(row) : undefined;
    },
    async create(input, actor) {
      const def = validateDefinition(input, defaultTz());
      checkFires(def);
      await checkCapacity(1);
      const id = randomUUID();
      await insert({ id, definition: def, created: iso(), state: stateFromStartup(def.startupState) });
      await runner.refresh(id);
      record(actor, "schedule.create", id, { name: def.name });
      return view(id);
    },
    async update(id, patch, actor) {
      const row = await mustGet(id);
      const merged: Record<string, unknown> = { ...definitionOf(toSchedule(row)) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else if (v !== undefined) merged[k] = v;
      }
      const def = validateDefinition(merged, defaultTz());
      checkFires(def);
      await repo.replaceDefinition(id, def, iso(), planned(def, row.state));
      await runner.refresh(id);
      record(actor, "schedule.update", id, { fields: Object.keys(patch) });
      return view(id);
    },
    async remove(id, actor) {
      await mustGet(id);
      runner.forget(id);
      await repo.delete(id);
      record(actor, "schedule.delete", id);
    },
    async setState(id, state, actor) {
      const row = await mustGet(id);
      return (await applyState([row], state, actor, state === "started" ? "schedule.start" : "schedule.stop"))[0]!;
    },
    async setAll(state, actor) {
      await applyState(await repo.all(), state, actor, state === "started" ? "schedule.start" : "schedule.stop");
      return (await repo.all()).map(toSchedule);
    },
    async setMany(selector, state, actor) {
      const ids = selector.ids ?? [];
      const tags = selector.tags ?? [];
      const all = await repo.all();
      const missing = ids.filter((id) => !all.some((r) => r.id === id));
      if (missing.length) throw new AppError("NOT_FOUND", `unknown schedule ids: ${missing.join(", ")}; nothing was changed`, { details: { missing } });
      const rows = all.filter((r) => ids.includes(r.id) || r.definition.tags.some((t) => tags.includes(t)));
      return applyState(rows, state, actor, state === "started" ? "schedule.start" : "schedule.stop");
    },
    async importButler(text, source, onConflict, actor) {
      // Bounded before the YAML parser builds anything: the text comes from a request.
      const parsed = parseButlerScheduleFile(text, source, defaultTz(), clock.now, scheduleFileBounds(cfg.maxSchedules));
      const report: ImportReport = { imported: [], replaced: [], skipped: [] };
      const existing = new Set((await repo.all()).map((r) => r.id));
      const fresh = parsed.filter((s) => !existing.has(s.id));
      await checkCapacity(fresh.length);
      await db.transaction((tx) => writeImported(repo.in(tx), parsed, onConflict, insert, report));
      for (const id of report.replaced) runner.forget(id);
      for (const s of parsed) {
        if (report.skipped.some((k) => k.id === s.id)) continue;
        await runner.refresh(s.id);
        report.imported.push(await view(s.id));
      }
      record(actor, "schedule.import", source, { imported: report.imported.length, replaced: report.replaced.length, skipped: report.skipped.length });
      log.info({ source, imported: report.imported.length, replaced: report.replaced.length, skipped: report.skipped.length }, "imported Butler schedules");
      return report;
    },
    async statusText() {
      const lines = (await repo.all()).map((r) => {
        const what = r.definition.cronSchedule ?? `on task ${r.definition.trigger!.on.join("/")}`;
        return `'${r.id}': ${what} status: ${r.state === "started" ? "Running" : "Stopped"} `;
      });
      return `{\n${lines.join("\n")}${lines.length ? "\n" : ""}}`;
    },
  };
}

function runnerFor(cfg: SchedulerConfig, deps: SchedulerDeps, repo: ScheduleRepo) {
  const { clock, audit, db, log } = deps;
  return createScheduleRunner({
    repo,
    clock,
    log,
    audit,
    metrics: deps.metrics,
    bus: deps.bus,
    taskStarter: deps.taskStarter,
    catchUpLimit: cfg.catchUpLimit,
    storeOpen: () => db.isOpen,
    ...(deps.holdBack ? { holdBack: deps.holdBack } : {}),
    ...(deps.duty ? { duty: deps.duty, syncIntervalMs: deps.syncIntervalMs ?? 2_000, takeoverGraceMs: deps.takeoverGraceMs ?? 0 } : {}),
    ...(deps.duty && deps.syncGate ? { syncGate: deps.syncGate } : {}),
  });
}

/** Writes imported schedules in one transaction, replacing or skipping those whose id exists; fills the report's lists. */
async function writeImported(
  r: ScheduleRepo,
  parsed: ImportedSchedule[],
  onConflict: "skip" | "replace",
  insert: (s: ImportedSchedule, into: ScheduleRepo) => Promise<boolean>,
  report: ImportReport,
): Promise<void> {
  for (const s of parsed) {
    let replacing = false;
    if (await r.get(s.id)) {
      if (onConflict === "skip") {
        report.skipped.push({ id: s.id, reason: "a schedule with this id exists (use onConflict=replace)" });
        continue;
      }
      await r.delete(s.id);
      replacing = true;
    }
    // Two Stewards of a cluster importing the same file at once: the id is taken once, the other skips it.
    if (!(await insert(s, r))) report.skipped.push({ id: s.id, reason: "a schedule with this id was just imported through another Steward" });
    else if (replacing) report.replaced.push(s.id);
  }
}

export const BulkSelectorSchema = z
  .strictObject({
    ids: z.array(z.string().min(1)).optional().describe("Schedule ids."),
    tags: z.array(z.string().min(1)).optional().describe("Every schedule carrying one of these tags."),
  })
  .refine((s) => (s.ids?.length ?? 0) + (s.tags?.length ?? 0) > 0, { message: "give ids or tags" });
