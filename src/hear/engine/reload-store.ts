// What Steward keeps of the reloads heard from the Engine, in the store the cluster shares: each reload once (its
// claim: one Steward announces it, through restarts and across Stewards), how it was judged (the Scheduler's, alerted
// or why not), the event built for it until announced, and the list the dashboard, the reports and MCP read.
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import { cutLine, type FinishedReload } from "./reload-tracker";
import { createStoreBudget } from "./reload-store-budget";

export const engineReloadMigrations: MigrationSet = {
  module: "engine-reloads",
  migrations: [
    {
      version: 1,
      name: "reloads heard from the engine",
      sql: `
        CREATE TABLE engine_reloads (
          run_key TEXT PRIMARY KEY,
          node TEXT NOT NULL,
          app_id TEXT NOT NULL,
          session_id TEXT NOT NULL,
          user_name TEXT NOT NULL,
          proxy_session TEXT NOT NULL,
          started_ms INTEGER,
          ended_ms INTEGER NOT NULL,
          outcome TEXT NOT NULL,
          lines TEXT NOT NULL,
          claimed_by TEXT NOT NULL,
          claimed_ms INTEGER NOT NULL,
          judged INTEGER NOT NULL DEFAULT 0,
          by_scheduler INTEGER NOT NULL DEFAULT 0,
          alerted INTEGER NOT NULL DEFAULT 0,
          confirmed INTEGER NOT NULL DEFAULT 0,
          reason TEXT,
          app_name TEXT,
          stream TEXT,
          published INTEGER,
          event TEXT,
          announced INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX engine_reloads_ended ON engine_reloads (ended_ms);
        CREATE INDEX engine_reloads_pending ON engine_reloads (claimed_ms) WHERE judged = 0 OR announced = 0;
      `,
    },
    {
      version: 2,
      name: "per node: the last Engine line heard, and since when its lines are incomplete",
      sql: `
        CREATE TABLE engine_line_nodes (
          node TEXT PRIMARY KEY, host TEXT NOT NULL, first_line_at INTEGER NOT NULL, last_line_at INTEGER NOT NULL,
          incomplete_since INTEGER, incomplete_task TEXT
        );`,
    },
    {
      version: 3,
      name: "the oldest claimed first, for the byte budget",
      sql: "CREATE INDEX engine_reloads_claimed ON engine_reloads (claimed_ms)",
    },
  ],
};

/** A reload as listed: who reloaded what, when, where, with what outcome, and what Steward made of it. */
export interface HeardReload {
  key: string;
  node: string;
  appId: string;
  appName?: string;
  stream?: string;
  published?: boolean;
  user: string;
  startedMs?: number;
  endedMs: number;
  outcome: "succeeded" | "failed";
  lines: string[];
  bySchedule: boolean;
  alerted: boolean;
  /** A success: QRS's lastReloadTime of the app confirmed it (false: a forged line, or QRS could not say). */
  confirmed: boolean;
  /** Why it was (not) alerted, or why it is the Scheduler's. */
  reason?: string;
}

export interface Judgement {
  byScheduler: boolean;
  alerted: boolean;
  confirmed: boolean;
  reason: string;
  app?: { name: string; stream?: string; published?: boolean };
}

/** A claimed reload not finished with (a crash, or the Steward that claimed it died). */
export interface PendingReload {
  run: FinishedReload;
  claimedBy: string;
  judged: boolean;
  event?: string;
}

export interface EngineReloadStore {
  /** True for exactly one caller, ever, per reload. */
  claim(run: FinishedReload, by: string, nowMs: number): Promise<boolean>;
  judged(key: string, j: Judgement, event: string | undefined): Promise<void>;
  markAnnounced(key: string): Promise<void>;
  /** Reloads claimed before `claimedBeforeMs` and not finished with, by any Steward, oldest first. */
  pending(limit: number, claimedBeforeMs?: number): Promise<PendingReload[]>;
  /** Takes over a pending reload from a Steward that is gone: true when this call did. */
  takeOver(key: string, from: string, to: string): Promise<boolean>;
  /** Reloads outside the Scheduler that ended since `sinceMs`, newest first. */
  list(o: {
    sinceMs: number;
    untilMs?: number;
    limit: number;
    appId?: string;
    outcome?: "succeeded" | "failed";
    /** Only reloads listed after this one (a page's cursor): ended before it, or at the same time with a smaller key. */
    after?: { endedMs: number; key: string };
  }): Promise<HeardReload[]>;
  /** Per app, the end of its last confirmed successful reload outside the Scheduler since `sinceMs`. */
  lastSuccesses(sinceMs: number): Promise<Map<string, number>>;
  prune(beforeMs: number): Promise<number>;
  /** Deletes the oldest finished reloads while the table holds more than its byte budget: the rows deleted. */
  enforceBudget(): Promise<number>;
}

/** The text of a name kept (node, user, sessions): a forged line may carry kilobytes in each. */
const NAME_CHARS = 255;

type Row = {
  run_key: string;
  node: string;
  app_id: string;
  session_id: string;
  user_name: string;
  proxy_session: string;
  started_ms: number | string | null;
  ended_ms: number | string;
  outcome: string;
  lines: string;
  claimed_by: string;
  judged: number | string;
  by_scheduler: number | string;
  alerted: number | string;
  confirmed: number | string;
  reason: string | null;
  app_name: string | null;
  stream: string | null;
  published: number | string | null;
  event: string | null;
};

const num = (v: number | string | null) => (v === null ? undefined : Number(v));
const lines = (s: string): string[] => {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};

function runOf(r: Row): FinishedReload {
  const started = num(r.started_ms);
  return {
    key: r.run_key,
    node: r.node,
    appId: r.app_id,
    sessionId: r.session_id,
    user: r.user_name,
    proxySessionId: r.proxy_session,
    ...(started !== undefined ? { startMs: started } : {}),
    endMs: Number(r.ended_ms),
    outcome: r.outcome === "failed" ? "failed" : "succeeded",
    lines: lines(r.lines),
    loggers: [],
  };
}

function heardOf(r: Row): HeardReload {
  const started = num(r.started_ms);
  const published = num(r.published);
  return {
    key: r.run_key,
    node: r.node,
    appId: r.app_id,
    ...(r.app_name ? { appName: r.app_name } : {}),
    ...(r.stream ? { stream: r.stream } : {}),
    ...(published !== undefined ? { published: published === 1 } : {}),
    user: r.user_name,
    ...(started !== undefined ? { startedMs: started } : {}),
    endedMs: Number(r.ended_ms),
    outcome: r.outcome === "failed" ? "failed" : "succeeded",
    lines: lines(r.lines),
    bySchedule: Number(r.by_scheduler) === 1,
    alerted: Number(r.alerted) === 1,
    confirmed: Number(r.confirmed) === 1,
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

const COLS =
  "run_key, node, app_id, session_id, user_name, proxy_session, started_ms, ended_ms, outcome, lines, claimed_by, judged, by_scheduler, alerted, confirmed, reason, app_name, stream, published, event";

/** engineReloads.maxStoreBytes when none is given (tests, tools). */
export const DEFAULT_MAX_STORE_BYTES = 32 * 1024 * 1024;

/** About what claiming `run` adds to the table, by the budget's measure (ROW_BYTES): its key, lines and names. */
export const reloadBytes = (run: FinishedReload) => 64 + run.key.length + JSON.stringify(run.lines).length + 4 * NAME_CHARS;

export function createEngineReloadStore(db: SqlDb, limits: { maxBytes: number } = { maxBytes: DEFAULT_MAX_STORE_BYTES }): EngineReloadStore {
  const budget = createStoreBudget(db, limits.maxBytes);
  return {
    async claim(run, by, now) {
      const lines = JSON.stringify(run.lines);
      const r = await db.run(
        `INSERT INTO engine_reloads (run_key, node, app_id, session_id, user_name, proxy_session, started_ms, ended_ms, outcome, lines, claimed_by, claimed_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_key) DO NOTHING`,
        [
          run.key,
          cutLine(run.node, NAME_CHARS),
          run.appId,
          cutLine(run.sessionId, NAME_CHARS),
          cutLine(run.user, NAME_CHARS),
          cutLine(run.proxySessionId, NAME_CHARS),
          run.startMs ?? null,
          run.endMs,
          run.outcome,
          lines,
          by,
          now,
        ],
      );
      if (r.changes !== 1) return false;
      await budget.added(reloadBytes(run));
      return true;
    },
    async judged(key, j, event) {
      await db.run(
        `UPDATE engine_reloads SET judged = 1, by_scheduler = ?, alerted = ?, confirmed = ?, reason = ?, app_name = ?, stream = ?, published = ?, event = ?,
         announced = ? WHERE run_key = ?`,
        [
          j.byScheduler ? 1 : 0,
          j.alerted ? 1 : 0,
          j.confirmed ? 1 : 0,
          j.reason,
          j.app?.name ?? null,
          j.app?.stream ?? null,
          j.app?.published === undefined ? null : j.app.published ? 1 : 0,
          event ?? null,
          event === undefined ? 1 : 0,
          key,
        ],
      );
      if (event === undefined) await budget.finished();
    },
    async markAnnounced(key) {
      // The event was kept only to announce it after a crash: announced, it is dead weight (a script log excerpt).
      await db.run("UPDATE engine_reloads SET announced = 1, event = NULL WHERE run_key = ?", [key]);
      await budget.finished();
    },
    async pending(limit, claimedBeforeMs = Number.MAX_SAFE_INTEGER) {
      const rows = await db.all<Row>(`SELECT ${COLS} FROM engine_reloads WHERE (judged = 0 OR announced = 0) AND claimed_ms <= ? ORDER BY claimed_ms LIMIT ?`, [
        claimedBeforeMs,
        limit,
      ]);
      return rows.map((r) => ({ run: runOf(r), claimedBy: r.claimed_by, judged: Number(r.judged) === 1, ...(r.event ? { event: r.event } : {}) }));
    },
    async takeOver(key, from, to) {
      return (await db.run("UPDATE engine_reloads SET claimed_by = ? WHERE run_key = ? AND claimed_by = ?", [to, key, from])).changes === 1;
    },
    async list(o) {
      const where = ["by_scheduler = 0", "judged = 1", "ended_ms >= ?"];
      const params: Array<string | number> = [o.sinceMs];
      if (o.untilMs !== undefined) {
        where.push("ended_ms < ?");
        params.push(o.untilMs);
      }
      if (o.appId) {
        where.push("app_id = ?");
        params.push(o.appId.toLowerCase());
      }
      if (o.outcome) {
        where.push("outcome = ?");
        params.push(o.outcome);
      }
      if (o.after) {
        where.push("(ended_ms < ? OR (ended_ms = ? AND run_key < ?))");
        params.push(o.after.endedMs, o.after.endedMs, o.after.key);
      }
      const rows = await db.all<Row>(`SELECT ${COLS} FROM engine_reloads WHERE ${where.join(" AND ")} ORDER BY ended_ms DESC, run_key DESC LIMIT ?`, [
        ...params,
        o.limit,
      ]);
      return rows.map(heardOf);
    },
    async lastSuccesses(sinceMs) {
      const rows = await db.all<{ app_id: string; last_ms: number | string }>(
        "SELECT app_id, MAX(ended_ms) AS last_ms FROM engine_reloads WHERE outcome = 'succeeded' AND by_scheduler = 0 AND confirmed = 1 AND ended_ms >= ? GROUP BY app_id",
        [sinceMs],
      );
      return new Map(rows.map((r) => [r.app_id, Number(r.last_ms)]));
    },
    enforceBudget: () => budget.enforce(),
    async prune(beforeMs) {
      return (await db.run("DELETE FROM engine_reloads WHERE ended_ms < ? AND judged = 1 AND announced = 1", [beforeMs])).changes;
    },
  };
}
