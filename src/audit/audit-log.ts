// The audit log: who did what, when, with which result — task starts, reloads, dumps, file operations, KV
// writes, schedule changes and access denials. Persisted in the store; queried by GET /v4/audit.
import type { DatabaseSync } from "node:sqlite";
import type { MigrationSet } from "../store/database";
import type { Clock } from "../core/clock";

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
  query(q: AuditQuery): AuditRecord[];
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

export function createAuditLog(db: DatabaseSync, clock: Clock): AuditLog {
  const insert = db.prepare(
    "INSERT INTO audit (at, actor_kind, actor_name, actor_ip, action, target, result, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  return {
    record(e) {
      insert.run(new Date(clock.now()).toISOString(), e.actor.kind, e.actor.name, e.actor.ip ?? null, e.action, e.target ?? null, e.result, e.details ? JSON.stringify(e.details) : null);
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
