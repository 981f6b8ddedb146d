// What the freshness promises keep in the shared store: each app's last successful and failed reload (from the task
// events, on whichever Steward handled the run) and the usual time from its upstream check-in to its fresh data,
// and the conditions the judge opened (warning, escalated to breach, recovered), each announced once.
import type { WatchdogEvent } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";

export const freshnessMigrations: MigrationSet = {
  module: "freshness",
  migrations: [
    {
      version: 1,
      name: "freshness apps and conditions",
      sql: `
        CREATE TABLE freshness_apps (
          app_id TEXT PRIMARY KEY,
          app_name TEXT NOT NULL,
          stream TEXT,
          tags TEXT NOT NULL,
          last_success_ms INTEGER,
          last_success_task TEXT,
          last_fail_ms INTEGER,
          last_fail_task TEXT,
          lags TEXT NOT NULL
        );
        CREATE TABLE freshness_conditions (
          key TEXT PRIMARY KEY,
          promise TEXT NOT NULL,
          app_id TEXT NOT NULL,
          deadline_ms INTEGER NOT NULL,
          level TEXT NOT NULL,
          opened_ms INTEGER NOT NULL,
          warn_event TEXT,
          warn_announced INTEGER NOT NULL DEFAULT 0,
          breach_event TEXT,
          breach_announced INTEGER NOT NULL DEFAULT 0,
          closed_ms INTEGER,
          close_event TEXT,
          close_announced INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE freshness_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `,
    },
    {
      version: 2,
      name: "when the last successful reload started",
      // A reload that started before the data it waits for arrived read the old data, however late it ended (issue 88).
      sql: "ALTER TABLE freshness_apps ADD COLUMN last_success_start_ms INTEGER",
    },
    {
      version: 3,
      name: "each deadline's judgement, for the promise's record",
      // One row per promise, app and deadline (issue 106): fresh by it or late, how late and why (record-store.ts).
      sql: `
        CREATE TABLE freshness_days (
          promise TEXT NOT NULL,
          app_id TEXT NOT NULL,
          deadline_ms INTEGER NOT NULL,
          late INTEGER NOT NULL,
          fresh_ms INTEGER,
          cause TEXT,
          PRIMARY KEY (promise, app_id, deadline_ms)
        );
      `,
    },
  ],
};

export interface AppFreshness {
  appId: string;
  appName: string;
  stream?: string;
  tags: string[];
  lastSuccessMs?: number;
  /** When that reload started (absent when only its end is known: an app's last reload time read from QRS). */
  lastSuccessStartMs?: number;
  lastSuccessTask?: string;
  lastFailMs?: number;
  lastFailTask?: string;
  /** Recent times from the upstream check-in's success to this app's next successful reload, newest last. */
  lagsMs: number[];
}

export type Level = "warning" | "breached";

export interface FreshnessConditionRow {
  key: string;
  promise: string;
  appId: string;
  deadlineMs: number;
  level: Level;
  openedMs: number;
  warnEvent?: WatchdogEvent;
  warnAnnounced: boolean;
  breachEvent?: WatchdogEvent;
  breachAnnounced: boolean;
  closedMs?: number;
  closeEvent?: WatchdogEvent;
  closeAnnounced: boolean;
}

export interface FreshnessStore {
  /**
   * Records a reload's outcome (a later one of the same kind wins); `atMs` is when it ended, `startMs` when it began;
   * `lagMs` is added to the app's lags.
   */
  recordReload(r: {
    appId: string;
    appName: string;
    stream?: string;
    tags: string[];
    ok: boolean;
    atMs: number;
    startMs?: number;
    task: string;
    lagMs?: number;
  }): Promise<void>;
  apps(): Promise<AppFreshness[]>;
  /** Makes an app known (from QRS): its name, stream and tags, and its last reload if later than the one known. */
  seedApp(a: { appId: string; appName: string; stream?: string; tags: string[]; lastReloadMs?: number }): Promise<void>;
  /** Opens at `level` unless a condition with the key is open; true when this call opened it. */
  open(row: { key: string; promise: string; appId: string; deadlineMs: number; level: Level; openedMs: number; event: WatchdogEvent }): Promise<boolean>;
  /** Raises an open warning to a breach; true when this call did. */
  escalate(key: string, event: WatchdogEvent): Promise<boolean>;
  markAnnounced(key: string, what: "warn" | "breach" | "close"): Promise<void>;
  close(key: string, closedMs: number, event: WatchdogEvent): Promise<boolean>;
  openConditions(): Promise<FreshnessConditionRow[]>;
  unannounced(): Promise<FreshnessConditionRow[]>;
  /** Sets the value unless one is there; returns the value that is there now. */
  initMeta(key: string, value: string): Promise<string>;
  /** Sets the value, whatever was there. */
  setMeta(key: string, value: string): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  prune(closedBeforeMs: number): Promise<void>;
}

const KEEP_LAGS = 20;
/**
 * QRS's lastReloadTime of an app is about when its reload ended, not to the millisecond of the execution's stop time:
 * within this of the reload Steward recorded it is that reload (its start stays known); later, another one, whose start
 * Steward does not know.
 */
const SAME_RELOAD_MS = 5 * 60_000;
type Num = number | string | null;
const num = (v: Num) => (v === null ? undefined : Number(v));
const COLS =
  "key, promise, app_id, deadline_ms, level, opened_ms, warn_event, warn_announced, breach_event, breach_announced, closed_ms, close_event, close_announced";
type RawCondition = {
  key: string;
  promise: string;
  app_id: string;
  deadline_ms: Num;
  level: string;
  opened_ms: Num;
  warn_event: string | null;
  warn_announced: Num;
  breach_event: string | null;
  breach_announced: Num;
  closed_ms: Num;
  close_event: string | null;
  close_announced: Num;
};
const event = (s: string | null) => (s ? (JSON.parse(s) as WatchdogEvent) : undefined);
const toRow = (r: RawCondition): FreshnessConditionRow => {
  const out: FreshnessConditionRow = {
    key: r.key,
    promise: r.promise,
    appId: r.app_id,
    deadlineMs: Number(r.deadline_ms),
    level: r.level as Level,
    openedMs: Number(r.opened_ms),
    warnAnnounced: Number(r.warn_announced) === 1,
    breachAnnounced: Number(r.breach_announced) === 1,
    closeAnnounced: Number(r.close_announced) === 1,
  };
  const w = event(r.warn_event);
  const b = event(r.breach_event);
  const c = event(r.close_event);
  if (w) out.warnEvent = w;
  if (b) out.breachEvent = b;
  if (c) out.closeEvent = c;
  const closed = num(r.closed_ms);
  if (closed !== undefined) out.closedMs = closed;
  return out;
};

type RawApp = {
  app_id: string;
  app_name: string;
  stream: string | null;
  tags: string;
  last_success_ms: Num;
  last_success_start_ms: Num;
  last_success_task: string | null;
  last_fail_ms: Num;
  last_fail_task: string | null;
  lags: string;
};
function toApp(r: RawApp): AppFreshness {
  const a: AppFreshness = { appId: r.app_id, appName: r.app_name, tags: JSON.parse(r.tags) as string[], lagsMs: JSON.parse(r.lags) as number[] };
  if (r.stream !== null) a.stream = r.stream;
  const s = num(r.last_success_ms);
  const f = num(r.last_fail_ms);
  if (s !== undefined) a.lastSuccessMs = s;
  const started = num(r.last_success_start_ms);
  if (started !== undefined) a.lastSuccessStartMs = started;
  if (r.last_success_task !== null) a.lastSuccessTask = r.last_success_task;
  if (f !== undefined) a.lastFailMs = f;
  if (r.last_fail_task !== null) a.lastFailTask = r.last_fail_task;
  return a;
}

export function createFreshnessStore(db: SqlDb): FreshnessStore {
  return {
    async recordReload(r) {
      await db.transaction(async (tx) => {
        const had = await tx.get<{ last_success_ms: Num; last_fail_ms: Num; lags: string }>(
          "SELECT last_success_ms, last_fail_ms, lags FROM freshness_apps WHERE app_id = ?",
          [r.appId],
        );
        const lags = had ? (JSON.parse(had.lags) as number[]) : [];
        if (r.lagMs !== undefined) lags.push(r.lagMs);
        const tags = JSON.stringify(r.tags);
        if (!had) {
          await tx.run(
            "INSERT INTO freshness_apps (app_id, app_name, stream, tags, last_success_ms, last_success_start_ms, last_success_task, last_fail_ms, last_fail_task, lags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
              r.appId,
              r.appName,
              r.stream ?? null,
              tags,
              r.ok ? r.atMs : null,
              r.ok ? (r.startMs ?? null) : null,
              r.ok ? r.task : null,
              r.ok ? null : r.atMs,
              r.ok ? null : r.task,
              JSON.stringify(lags),
            ],
          );
          return;
        }
        const newer = (v: Num) => v === null || Number(v) < r.atMs;
        // The run's own event for a reload QRS's app list told of first (its lastReloadTime): it says when it started.
        const sameSeen = r.ok && r.startMs !== undefined && had.last_success_ms !== null && Math.abs(Number(had.last_success_ms) - r.atMs) <= SAME_RELOAD_MS;
        if (sameSeen && !newer(had.last_success_ms))
          await tx.run("UPDATE freshness_apps SET last_success_start_ms = ?, last_success_task = ? WHERE app_id = ? AND last_success_start_ms IS NULL", [
            r.startMs!,
            r.task,
            r.appId,
          ]);
        const moves = r.ok ? newer(had.last_success_ms) : newer(had.last_fail_ms);
        // A success that moves also sets (or clears, when not known) when it started.
        const set = moves ? (r.ok ? ", last_success_ms = ?, last_success_task = ?, last_success_start_ms = ?" : ", last_fail_ms = ?, last_fail_task = ?") : "";
        const values = moves ? (r.ok ? [r.atMs, r.task, r.startMs ?? null] : [r.atMs, r.task]) : [];
        await tx.run(`UPDATE freshness_apps SET app_name = ?, stream = ?, tags = ?, lags = ?${set} WHERE app_id = ?`, [
          r.appName,
          r.stream ?? null,
          tags,
          JSON.stringify(lags.slice(-KEEP_LAGS)),
          ...values,
          r.appId,
        ]);
      });
    },
    async seedApp(a) {
      const last = a.lastReloadMs ?? null;
      await db.run(
        `INSERT INTO freshness_apps (app_id, app_name, stream, tags, last_success_ms, lags) VALUES (?, ?, ?, ?, ?, '[]')
         ON CONFLICT (app_id) DO UPDATE SET app_name = excluded.app_name, stream = excluded.stream, tags = excluded.tags,
           last_success_ms = CASE WHEN freshness_apps.last_success_ms IS NULL OR freshness_apps.last_success_ms < excluded.last_success_ms
             THEN excluded.last_success_ms ELSE freshness_apps.last_success_ms END,
           last_success_start_ms = CASE WHEN freshness_apps.last_success_ms IS NULL OR freshness_apps.last_success_ms + ? < excluded.last_success_ms
             THEN NULL ELSE freshness_apps.last_success_start_ms END`,
        [a.appId, a.appName, a.stream ?? null, JSON.stringify(a.tags), last, SAME_RELOAD_MS],
      );
    },
    apps: async () => (await db.all<RawApp>("SELECT * FROM freshness_apps ORDER BY app_name")).map(toApp),
    async open(row) {
      return db.transaction(async (tx) => {
        const had = await tx.get<{ closed_ms: Num; deadline_ms: Num }>("SELECT closed_ms, deadline_ms FROM freshness_conditions WHERE key = ?", [row.key]);
        // Open, or closed for this very deadline (judged again after a restart or by another Steward): not again.
        if (had && (had.closed_ms === null || Number(had.deadline_ms) === row.deadlineMs)) return false;
        if (had) await tx.run("DELETE FROM freshness_conditions WHERE key = ?", [row.key]);
        const col = row.level === "warning" ? "warn_event" : "breach_event";
        await tx.run(`INSERT INTO freshness_conditions (key, promise, app_id, deadline_ms, level, opened_ms, ${col}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
          row.key,
          row.promise,
          row.appId,
          row.deadlineMs,
          row.level,
          row.openedMs,
          JSON.stringify(row.event),
        ]);
        return true;
      });
    },
    async escalate(key, e) {
      const r = await db.run("UPDATE freshness_conditions SET level = 'breached', breach_event = ? WHERE key = ? AND level = 'warning' AND closed_ms IS NULL", [
        JSON.stringify(e),
        key,
      ]);
      return r.changes > 0;
    },
    async markAnnounced(key, what) {
      await db.run(`UPDATE freshness_conditions SET ${what}_announced = 1 WHERE key = ?`, [key]);
    },
    async close(key, closedMs, e) {
      const r = await db.run("UPDATE freshness_conditions SET closed_ms = ?, close_event = ? WHERE key = ? AND closed_ms IS NULL", [
        closedMs,
        JSON.stringify(e),
        key,
      ]);
      return r.changes > 0;
    },
    openConditions: async () => (await db.all<RawCondition>(`SELECT ${COLS} FROM freshness_conditions WHERE closed_ms IS NULL ORDER BY opened_ms`)).map(toRow),
    unannounced: async () =>
      (
        await db.all<RawCondition>(
          `SELECT ${COLS} FROM freshness_conditions WHERE (warn_event IS NOT NULL AND warn_announced = 0) OR (breach_event IS NOT NULL AND breach_announced = 0) OR (close_event IS NOT NULL AND close_announced = 0) ORDER BY opened_ms`,
        )
      ).map(toRow),
    async initMeta(key, value) {
      await db.run("INSERT INTO freshness_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [key, value]);
      return (await db.get<{ value: string }>("SELECT value FROM freshness_meta WHERE key = ?", [key]))!.value;
    },
    async setMeta(key, value) {
      await db.run("INSERT INTO freshness_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
    },
    getMeta: async (key) => (await db.get<{ value: string }>("SELECT value FROM freshness_meta WHERE key = ?", [key]))?.value,
    async prune(closedBeforeMs) {
      await db.run("DELETE FROM freshness_conditions WHERE closed_ms IS NOT NULL AND closed_ms < ? AND close_announced = 1", [closedBeforeMs]);
    },
  };
}
