// What the check-ins keep, in the shared store so a ping to any Steward counts: each check's latest ping of each
// kind (never pruned), its recent pings with their logs (the newest keepPings), and the conditions the judge
// opened (stored before they are announced, announced once, like the watchdog's).
import type { WatchdogEvent } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import type { ConditionRecords, StoredCondition } from "../watchdog/condition-records";

export const checkinMigrations: MigrationSet = {
  module: "checkins",
  migrations: [
    {
      version: 1,
      name: "check-in state, pings and conditions",
      sql: `
        CREATE TABLE checkin_state (
          name TEXT PRIMARY KEY,
          last_start_ms INTEGER,
          last_success_ms INTEGER,
          last_fail_ms INTEGER,
          last_ping_ms INTEGER,
          last_exit INTEGER
        );
        CREATE TABLE checkin_pings (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          kind TEXT NOT NULL,
          exit_code INTEGER,
          at_ms INTEGER NOT NULL,
          source TEXT NOT NULL,
          steward TEXT NOT NULL,
          body TEXT,
          body_bytes INTEGER NOT NULL,
          truncated INTEGER NOT NULL
        );
        CREATE INDEX checkin_pings_name ON checkin_pings (name, at_ms);
        CREATE TABLE checkin_conditions (
          key TEXT PRIMARY KEY,
          type TEXT NOT NULL,
          name TEXT NOT NULL,
          opened_ms INTEGER NOT NULL,
          open_event TEXT NOT NULL,
          open_announced INTEGER NOT NULL DEFAULT 0,
          closed_ms INTEGER,
          close_event TEXT,
          close_announced INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE checkin_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `,
    },
  ],
};

export type PingKind = "start" | "success" | "fail" | "log";

export interface Ping {
  id: string;
  name: string;
  kind: PingKind;
  exitCode?: number;
  atMs: number;
  /** The caller's address. */
  source: string;
  /** The Steward that received it. */
  steward: string;
  body?: string;
  bodyBytes: number;
  truncated: boolean;
}

export interface CheckState {
  name: string;
  lastStartMs?: number;
  lastSuccessMs?: number;
  lastFailMs?: number;
  lastPingMs?: number;
  lastExit?: number;
}

export interface CheckinConditionRow extends StoredCondition {
  name: string;
}

export interface CheckinStore extends ConditionRecords<CheckinConditionRow, { name: string }> {
  /** Records a ping and moves the check's latest times; keeps only the newest `keep` pings of the check. */
  addPing(p: Ping, keep: number): Promise<void>;
  states(): Promise<Map<string, CheckState>>;
  pings(name: string, limit: number): Promise<Ping[]>;
  /** Sets the value unless one is there; returns the value that is there now. */
  initMeta(key: string, value: string): Promise<string>;
  prune(closedBeforeMs: number): Promise<void>;
}

/** The state column a ping kind moves (a fixed map: never text from the request). */
const COLUMN: Record<Exclude<PingKind, "log">, string> = { start: "last_start_ms", success: "last_success_ms", fail: "last_fail_ms" };

type Num = number | string | null;
const num = (v: Num): number | undefined => (v === null ? undefined : Number(v));

type RawCondition = {
  key: string;
  type: string;
  name: string;
  opened_ms: Num;
  open_event: string;
  open_announced: Num;
  closed_ms: Num;
  close_event: string | null;
  close_announced: Num;
};
const toCondition = (r: RawCondition): CheckinConditionRow => ({
  key: r.key,
  type: r.type,
  name: r.name,
  openedMs: Number(r.opened_ms),
  openEvent: JSON.parse(r.open_event) as WatchdogEvent,
  openAnnounced: Number(r.open_announced) === 1,
  ...(r.closed_ms !== null ? { closedMs: Number(r.closed_ms) } : {}),
  ...(r.close_event ? { closeEvent: JSON.parse(r.close_event) as WatchdogEvent } : {}),
  closeAnnounced: Number(r.close_announced) === 1,
});
type RawState = { name: string; last_start_ms: Num; last_success_ms: Num; last_fail_ms: Num; last_ping_ms: Num; last_exit: Num };
const STATE_COLS = "name, last_start_ms, last_success_ms, last_fail_ms, last_ping_ms, last_exit";
function toState(r: RawState): CheckState {
  const s: CheckState = { name: r.name };
  const set = (k: keyof Omit<CheckState, "name">, v: Num) => {
    const n = num(v);
    if (n !== undefined) s[k] = n;
  };
  set("lastStartMs", r.last_start_ms);
  set("lastSuccessMs", r.last_success_ms);
  set("lastFailMs", r.last_fail_ms);
  set("lastPingMs", r.last_ping_ms);
  set("lastExit", r.last_exit);
  return s;
}

type RawPing = {
  id: string;
  name: string;
  kind: string;
  exit_code: Num;
  at_ms: Num;
  source: string;
  steward: string;
  body: string | null;
  body_bytes: Num;
  truncated: Num;
};
const toPing = (r: RawPing): Ping => ({
  id: r.id,
  name: r.name,
  kind: r.kind as PingKind,
  ...(r.exit_code !== null ? { exitCode: Number(r.exit_code) } : {}),
  atMs: Number(r.at_ms),
  source: r.source,
  steward: r.steward,
  ...(r.body !== null ? { body: r.body } : {}),
  bodyBytes: Number(r.body_bytes),
  truncated: Number(r.truncated) === 1,
});
const COND_COLS = "key, type, name, opened_ms, open_event, open_announced, closed_ms, close_event, close_announced";

export function createCheckinStore(db: SqlDb): CheckinStore {
  return {
    async addPing(p, keep) {
      await db.transaction(async (tx) => {
        await tx.run(
          "INSERT INTO checkin_pings (id, name, kind, exit_code, at_ms, source, steward, body, body_bytes, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          [p.id, p.name, p.kind, p.exitCode ?? null, p.atMs, p.source, p.steward, p.body ?? null, p.bodyBytes, p.truncated ? 1 : 0],
        );
        const col = p.kind === "log" ? undefined : COLUMN[p.kind];
        const later = (c: string) =>
          `CASE WHEN checkin_state.${c} IS NULL OR checkin_state.${c} < excluded.${c} THEN excluded.${c} ELSE checkin_state.${c} END`;
        // The exit code is the newest finishing ping's (success or failure), so a late-arriving older one does not overwrite it.
        const exit =
          p.kind === "success" || p.kind === "fail"
            ? `, last_exit = CASE WHEN excluded.${col} > COALESCE(checkin_state.last_success_ms, -1) AND excluded.${col} > COALESCE(checkin_state.last_fail_ms, -1) THEN excluded.last_exit ELSE checkin_state.last_exit END`
            : "";
        await tx.run(
          `INSERT INTO checkin_state (name, last_ping_ms${col ? `, ${col}` : ""}, last_exit) VALUES (?, ?${col ? ", ?" : ""}, ?)
           ON CONFLICT (name) DO UPDATE SET last_ping_ms = ${later("last_ping_ms")}${col ? `, ${col} = ${later(col)}` : ""}${exit}`,
          [p.name, p.atMs, ...(col ? [p.atMs] : []), p.exitCode ?? (p.kind === "success" ? 0 : null)],
        );
        // Only the newest `keep` pings of the check stay (the state above keeps the latest of each kind for good).
        const cut = await tx.get<{ at_ms: Num }>("SELECT at_ms FROM checkin_pings WHERE name = ? ORDER BY at_ms DESC, id DESC LIMIT 1 OFFSET ?", [
          p.name,
          keep,
        ]);
        if (cut) await tx.run("DELETE FROM checkin_pings WHERE name = ? AND at_ms <= ?", [p.name, Number(cut.at_ms)]);
      });
    },
    states: async () => new Map((await db.all<RawState>(`SELECT ${STATE_COLS} FROM checkin_state`)).map((r) => [r.name, toState(r)])),
    pings: async (name, limit) =>
      (await db.all<RawPing>("SELECT * FROM checkin_pings WHERE name = ? ORDER BY at_ms DESC, id DESC LIMIT ?", [name, limit])).map(toPing),
    async open(row) {
      // A closed condition under the same key is history: a new occurrence replaces it; the same one (judged again
      // after a restart or by another Steward) does not open twice.
      return db.transaction(async (tx) => {
        const had = await tx.get<{ closed_ms: Num; opened_ms: Num }>("SELECT closed_ms, opened_ms FROM checkin_conditions WHERE key = ?", [row.key]);
        if (had && (had.closed_ms === null || Number(had.opened_ms) === row.openedMs)) return false;
        if (had) await tx.run("DELETE FROM checkin_conditions WHERE key = ?", [row.key]);
        await tx.run("INSERT INTO checkin_conditions (key, type, name, opened_ms, open_event, open_announced, close_announced) VALUES (?, ?, ?, ?, ?, 0, 0)", [
          row.key,
          row.type,
          row.name,
          row.openedMs,
          JSON.stringify(row.openEvent),
        ]);
        return true;
      });
    },
    markOpenAnnounced: async (key) => void (await db.run("UPDATE checkin_conditions SET open_announced = 1 WHERE key = ?", [key])),
    async close(key, closedMs, closeEvent) {
      const r = await db.run("UPDATE checkin_conditions SET closed_ms = ?, close_event = ? WHERE key = ? AND closed_ms IS NULL", [
        closedMs,
        JSON.stringify(closeEvent),
        key,
      ]);
      return r.changes > 0;
    },
    markCloseAnnounced: async (key) => void (await db.run("UPDATE checkin_conditions SET close_announced = 1 WHERE key = ?", [key])),
    openConditions: async () =>
      (await db.all<RawCondition>(`SELECT ${COND_COLS} FROM checkin_conditions WHERE closed_ms IS NULL ORDER BY opened_ms`)).map(toCondition),
    unannounced: async () =>
      (
        await db.all<RawCondition>(
          `SELECT ${COND_COLS} FROM checkin_conditions WHERE open_announced = 0 OR (closed_ms IS NOT NULL AND close_announced = 0) ORDER BY opened_ms`,
        )
      ).map(toCondition),
    recentlyClosed: async (sinceMs) =>
      (await db.all<RawCondition>(`SELECT ${COND_COLS} FROM checkin_conditions WHERE closed_ms >= ? ORDER BY closed_ms DESC`, [sinceMs])).map(toCondition),
    getMeta: async (key) => (await db.get<{ value: string }>("SELECT value FROM checkin_meta WHERE key = ?", [key]))?.value,
    async initMeta(key, value) {
      await db.run("INSERT INTO checkin_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [key, value]);
      return (await db.get<{ value: string }>("SELECT value FROM checkin_meta WHERE key = ?", [key]))!.value;
    },
    async prune(closedBeforeMs) {
      await db.run("DELETE FROM checkin_conditions WHERE closed_ms IS NOT NULL AND closed_ms < ? AND close_announced = 1", [closedBeforeMs]);
    },
  };
}
