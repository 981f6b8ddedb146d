// The audit log: who did what, when, with which result — task starts, reloads, dumps, file operations, KV
// writes, schedule changes and access denials. Persisted in the store; queried by GET /v4/audit.
import type { DatabaseSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";
import type { GroupCommit } from "../store/group-commit";
import type { Clock, Timer } from "../core/clock";
import type { Component } from "../core/lifecycle";

export interface AuditActor {
  /** apiKey, clientCert, anonymous, mqtt, schedule, event-trigger, chain, ui, system */
  kind: string;
  name: string;
  ip?: string;
}

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb: task.start, app.reload, app.dump, file.copy, kv.set, schedule.update, access.denied … */
  action: string;
  /** What it acted on: task id, app id, path, namespace/key … */
  target?: string;
  result: "ok" | "denied" | "failed";
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}

export interface AuditQuery {
  action?: string;
  actorKind?: string;
  actorName?: string;
  target?: string;
  result?: AuditEntry["result"];
  since?: string;
  until?: string;
  limit?: number;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  /**
   * The same row written in the store's shared transaction (group commit): resolves once it is committed. For
   * callers answering a request, so a burst of requests shares commits instead of paying one each.
   */
  recordCommitted(entry: AuditEntry): Promise<void>;
  query(q: AuditQuery): AuditRecord[];
  /** Applies retention now; returns how many entries were deleted. */
  prune(): number;
  /** Runs retention at start and every hour. */
  component(): Component;
}

export interface AuditRetention {
  maxAgeMs: number;
  maxEntries: number;
}

export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 90 * 86_400_000, maxEntries: 200_000 };

/** Bounds on one entry, so no request can write a large row (a long URL, a big error). */
const MAX_TARGET_CHARS = 512;
const MAX_DETAILS_CHARS = 4096;
/** Retention also runs after this many inserts, so a burst cannot outgrow the cap between hourly runs. */
const PRUNE_EVERY_INSERTS = 1000;
const PRUNE_INTERVAL_MS = 3_600_000;

function boundedDetails(details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  const text = JSON.stringify(details);
  if (text.length <= MAX_DETAILS_CHARS) return text;
  return JSON.stringify({ truncated: true, preview: text.slice(0, MAX_DETAILS_CHARS - 64) });
}

export const auditMigrations: MigrationSet = {
  module: "audit",
  migrations: [
    {
      version: 1,
      name: "audit table",
      sql: `CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor_kind TEXT NOT NULL, actor_name TEXT NOT NULL,
        actor_ip TEXT, action TEXT NOT NULL, target TEXT, result TEXT NOT NULL, details TEXT);
        CREATE INDEX audit_at ON audit (at);
        CREATE INDEX audit_action ON audit (action, at);`,
    },
  ],
};

export function createAuditLog(db: DatabaseSync, clock: Clock, retention: AuditRetention = DEFAULT_AUDIT_RETENTION, writes?: GroupCommit): AuditLog {
  const insert = db.prepare(
    "INSERT INTO audit (at, actor_kind, actor_name, actor_ip, action, target, result, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const deleteOlder = db.prepare("DELETE FROM audit WHERE at < ?");
  const count = db.prepare("SELECT COUNT(*) AS n FROM audit");
  // Denials go first: a flood of refused requests must not push task starts and key changes out of the log.
  const deleteOldestDenied = db.prepare("DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE result = 'denied' ORDER BY id LIMIT ?)");
  const deleteOldest = db.prepare("DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?)");
  let insertsSincePrune = 0;
  const prune = (): number => {
    insertsSincePrune = 0;
    let deleted = Number(deleteOlder.run(new Date(clock.now() - retention.maxAgeMs).toISOString()).changes);
    const excess = Number((count.get() as { n: number }).n) - retention.maxEntries;
    if (excess > 0) {
      const denied = Number(deleteOldestDenied.run(excess).changes);
      deleted += denied;
      if (denied < excess) deleted += Number(deleteOldest.run(excess - denied).changes);
    }
    return deleted;
  };
  const insertRow = (e: AuditEntry) => {
    const target = e.target === undefined ? null : e.target.length > MAX_TARGET_CHARS ? `${e.target.slice(0, MAX_TARGET_CHARS)}…` : e.target;
    insert.run(new Date(clock.now()).toISOString(), e.actor.kind, e.actor.name.slice(0, 128), e.actor.ip ?? null, e.action, target, e.result, boundedDetails(e.details));
    if (++insertsSincePrune >= PRUNE_EVERY_INSERTS) prune();
  };
  return {
    prune,
    component() {
      let timer: Timer | undefined;
      const tick = () => {
        prune();
        timer = clock.setTimeout(tick, PRUNE_INTERVAL_MS);
        timer.unref?.();
      };
      return {
        name: "audit-retention",
        start: tick,
        stop() {
          if (timer) clock.clearTimeout(timer);
          timer = undefined;
        },
      };
    },
    record: insertRow,
    async recordCommitted(e) {
      if (writes) await writes.write(() => insertRow(e));
      else insertRow(e);
    },
    query(q) {
      const where: string[] = [];
      const args: Array<string | number> = [];
      const eq = (col: string, v: string | undefined) => {
        if (v !== undefined) {
          where.push(`${col} = ?`);
          args.push(v);
        }
      };
      if (q.action?.endsWith("*")) {
        where.push("action LIKE ?");
        args.push(`${q.action.slice(0, -1)}%`);
      } else eq("action", q.action);
      eq("actor_kind", q.actorKind);
      eq("actor_name", q.actorName);
      eq("target", q.target);
      eq("result", q.result);
      if (q.since) {
        where.push("at >= ?");
        args.push(q.since);
      }
      if (q.until) {
        where.push("at <= ?");
        args.push(q.until);
      }
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
      const rows = db
        .prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit}`)
        .all(...args) as Array<Record<string, string | number | null>>;
      return rows.map((r) => ({
        id: Number(r.id),
        at: String(r.at),
        actor: { kind: String(r.actor_kind), name: String(r.actor_name), ...(r.actor_ip ? { ip: String(r.actor_ip) } : {}) },
        action: String(r.action),
        ...(r.target !== null ? { target: String(r.target) } : {}),
        result: r.result as AuditEntry["result"],
        ...(r.details ? { details: JSON.parse(String(r.details)) as Record<string, unknown> } : {}),
      }));
    },
  };
}
