// The events no route took, kept so that `steward config rehearse` (src/show/rehearse) can page on them under a new
// config: a route the config in force lacks would otherwise rehearse to nothing. Routed events are in the outbox
// already (page-log.ts). Held twice over: by time (the outbox's keep, at its hourly purge) and by bytes
// (notify.outbox.unroutedMaxBytes): once a sixteenth of the budget was written since the last look, the rows are
// summed and the oldest deleted until they are back under 90 % of it, so a flood of events costs the oldest history,
// never the disk. Several Stewards on one PostgreSQL share the table (an event once, by its id); each looks after what
// it wrote, so together they pass the budget by at most a sixteenth each.
import type { Logger } from "pino";
import type { DomainEvent } from "../../platform/events/types";
import { describeError } from "../../platform/core/errors";
import type { SqlDb } from "../../platform/store/sql";
import { NOT_PAGES } from "./page-log";

/**
 * Kinds not kept: the routine successes, all-clears and reports no rehearsal pages on (a successful run is most of a
 * site's events). A queue's drain (task.on_track) is kept: the rehearsal of [queue] rules re-runs at it.
 */
export const notKeptUnrouted = (kind: string): boolean =>
  kind !== "task.on_track" && (NOT_PAGES.includes(kind) || kind === "app.reload_succeeded" || kind.endsWith(".recovered"));

/** Rows looked at per round of deletion, and rounds per look at most (the loop is bounded). */
const BATCH = 500;
const MAX_ROUNDS = 200;

export interface UnroutedEvent {
  at: number;
  event: DomainEvent;
}

/**
 * The meta key holding when the kept history of unrouted events is complete from (ms): the first start of a Steward
 * that keeps them, moved on past the newest event the byte budget deleted.
 */
const COMPLETE_FROM = "notify.unrouted.completeFrom";
const UPSERT_LATER = `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at WHERE CAST(meta.value AS BIGINT) < CAST(excluded.value AS BIGINT)`;

export interface UnroutedHistory {
  /** A Steward that keeps them starts: their history is complete from now on, unless it was from earlier. Never throws. */
  start(now: number): Promise<void>;
  /** Keeps `event`, judged at `now` and taken by no route (a kind notKeptUnrouted names is left out). Never throws. */
  record(event: DomainEvent, now: number): Promise<void>;
  /** Holds the table to its byte budget now; the rows deleted. */
  enforce(): Promise<number>;
}

export function createUnroutedHistory(db: SqlDb, opts: { maxBytes: number; log?: Logger }): UnroutedHistory {
  let warnedAt = Number.NEGATIVE_INFINITY;
  let notKept = 0;
  // The first write looks: the table may be over a budget lowered since the last run.
  let sinceLook = Number.POSITIVE_INFINITY;
  let looking: Promise<number> | undefined;

  async function look(): Promise<number> {
    sinceLook = 0;
    const total = Number((await db.get<{ b: number | null }>("SELECT COALESCE(SUM(bytes), 0) AS b FROM notify_unrouted"))?.b ?? 0);
    if (total <= opts.maxBytes) return 0;
    // Down to 90 %: the next writes do not each pay for a deletion.
    let excess = total - Math.floor(opts.maxBytes * 0.9);
    let deleted = 0;
    for (let round = 0; round < MAX_ROUNDS && excess > 0; round++) {
      const rows = await db.all<{ event_id: string; bytes: number; at: number }>(
        "SELECT event_id, bytes, at FROM notify_unrouted ORDER BY at, event_id LIMIT ?",
        [BATCH],
      );
      if (rows.length === 0) break;
      const ids: string[] = [];
      let newest = 0;
      for (const r of rows) {
        if (excess <= 0) break;
        excess -= Number(r.bytes);
        ids.push(String(r.event_id));
        newest = Math.max(newest, Number(r.at));
      }
      // What a rehearsal reads is complete only after the newest event deleted (its notes say from when).
      await db.run(UPSERT_LATER, [COMPLETE_FROM, String(newest + 1), new Date(newest + 1).toISOString()]);
      deleted += (await db.run(`DELETE FROM notify_unrouted WHERE event_id IN (${ids.map(() => "?").join(", ")})`, ids)).changes;
    }
    return deleted;
  }

  const enforce = (): Promise<number> => (looking ??= look().finally(() => (looking = undefined)));

  return {
    async start(now) {
      try {
        await db.run("INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING", [
          COMPLETE_FROM,
          String(now),
          new Date(now).toISOString(),
        ]);
      } catch (err) {
        // A store away at start must not keep the alerts from starting: the next start writes it.
        opts.log?.warn({ err: describeError(err) }, "when the events no route took are kept from was not written");
      }
    },
    async record(event, now) {
      if (notKeptUnrouted(event.kind)) return;
      try {
        const payload = JSON.stringify(event);
        // The row's weight: its text plus a fixed share for its numbers and the row's own overhead.
        const bytes = 64 + payload.length + event.id.length + event.kind.length;
        await db.run("INSERT INTO notify_unrouted (event_id, kind, at, bytes, payload) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING", [
          event.id,
          event.kind,
          now,
          bytes,
          payload,
        ]);
        sinceLook += bytes;
        if (sinceLook >= opts.maxBytes / 16) await enforce();
      } catch (err) {
        // A rehearsal's history is not worth an event handled twice: the intake would hand it on again. Said once a
        // minute at most, with how many were not kept: a full disk fails every write (disk-full.test.ts).
        notKept++;
        if (now - warnedAt < 60_000) return;
        warnedAt = now;
        opts.log?.warn({ err: describeError(err), eventId: event.id, notKept }, "an event no route took was not kept for rehearsals");
        notKept = 0;
      }
    },
    enforce,
  };
}

/** The kept events judged in [from, to), oldest first, at most `limit` (the outbox's purge deletes those past its keep). */
export async function unroutedBetween(db: SqlDb, from: number, to: number, limit: number): Promise<UnroutedEvent[]> {
  const rows = await db.all<{ at: number; payload: string }>("SELECT at, payload FROM notify_unrouted WHERE at >= ? AND at < ? ORDER BY at, event_id LIMIT ?", [
    from,
    to,
    limit,
  ]);
  return rows.map((r) => ({ at: Number(r.at), event: JSON.parse(String(r.payload)) as DomainEvent }));
}

/**
 * From when the kept events no route took are complete (ms): the first start of a Steward keeping them, or past the
 * newest the byte budget deleted; undefined when no Steward kept them yet.
 */
export async function unroutedCompleteFrom(db: SqlDb): Promise<number | undefined> {
  const row = await db.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [COMPLETE_FROM]);
  return row ? Number(row.value) : undefined;
}
