// The single pages of failed runs QRS could not confirm (issue 86), checked again once QRS answers. While QRS is
// slow, a forged run cannot be told from a real one and up to perSource of them are paged one by one, each an alert
// of its own run (PagerDuty dedup_key steward-unconfirmed-<execution id>, issue 103: never its task's, so its end
// cannot end a real failure's alert). Each such page is kept here (in the store the Stewards of a cluster share) until
// QRS has its final word about that very run (unconfirmed-verdict.ts). When the run did not happen as reported, the
// page is ended with a task.recovered saying so, which every channel that got the trigger ends as it ends any recovery
// (PagerDuty's resolve with the same dedup_key, the Opsgenie close, Alertmanager's endsAt, a recovery on chat and
// mail). When QRS confirms it, the failure goes out again, confirmed, as its task's alert (its task's next success
// ends it, as always), and the run's own page is ended saying so. A page that shares its alert with an incident or a
// cause is left to them. Claimed by deleting its row: with two Stewards, one ends it.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createDemandTicker } from "../../platform/core/demand-ticker";
import type { EventBus } from "../../platform/core/bus";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { Counter } from "../../platform/core/metrics";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import type { RunReport } from "../events/run-report";
import { verdictOf } from "./unconfirmed-verdict";

/** How often the held pages are checked (all that are due, until QRS fails to answer one). */
export const PAGE_LOOK_MS = 30_000;
/** How often a Steward on PostgreSQL looks for pages another Steward kept and left, while it keeps none itself. */
const IDLE_LOOK_MS = 3_600_000;
/** A page QRS never answered about for this long is given up (left to a person). */
const GIVE_UP_MS = 7 * 24 * 3_600_000;
const PER_LOOK = 100;

export interface UnconfirmedPages {
  /** Keeps an unconfirmed failure that went on the bus as an alert of its own, to check it once QRS answers. */
  paged(e: TaskEvent, report: Pick<RunReport, "executionIdAsSent" | "sentFrom">): Promise<void>;
  /** Asks QRS about the held pages that are due; returns how many it ended. */
  sweep(): Promise<number>;
  readonly component: Component;
}

/** Whether the event is a single unconfirmed failure whose alert is its task's own (not a flood, incident or cause). */
export function endsByItself(e: TaskEvent): boolean {
  return e.unconfirmed !== undefined && e.unconfirmed.flood === undefined && e.outcome !== "succeeded" && !e.incident && !e.cause && e.source === "udp";
}

interface Row {
  run_key: string;
  task_id: string;
  event: string;
  created_at: number;
}

/** What is kept of a page: its event, and of its datagram whether it named an execution and where it came from. */
interface Held {
  e: TaskEvent;
  unnamed: boolean;
  sentFrom?: string;
}

export function createUnconfirmedPages(deps: {
  db: SqlDb;
  qrs: QrsClient;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  counters: { unconfirmed: Counter };
  /** intake.confirm.finalWordWithinMinutes: how long QRS may take to show a run's execution in its final state. */
  finalWordWithinMs?: number;
}): UnconfirmedPages {
  const { db, clock } = deps;
  const log = deps.log.child({ module: "unconfirmed-pages" });
  let running: Promise<number> = Promise.resolve(0);

  /** The page's end, on the bus as its task's recovery: it names the run and why it did not happen. */
  function ending(e: TaskEvent, why: string): TaskEvent {
    const reason = `not confirmed by QRS: this run did not happen (${why})`;
    return {
      ...e,
      id: `${e.executionId}:not-happened`,
      kind: "task.recovered",
      receivedAt: new Date(clock.now()).toISOString(),
      unconfirmed: { qrs: "denied", reason },
    };
  }

  /**
   * QRS confirms the run: its failure goes out again, confirmed, as its task's alert (which the task's next success
   * ends, as any failure's), then the unconfirmed page of its own run is ended saying where it went: no alert is left
   * open that nothing would end.
   */
  async function handOver(e: TaskEvent): Promise<void> {
    const { unconfirmed: _u, ...rest } = e;
    const confirmed: TaskEvent = {
      ...rest,
      id: `${e.id}:confirmed`,
      receivedAt: new Date(clock.now()).toISOString(),
      missing: e.missing.filter((m) => m.item !== "confirmation"),
    };
    await deps.bus.emit(confirmed.kind, confirmed);
    await deps.bus.emit("task.recovered", {
      ...e,
      id: `${e.executionId}:confirmed-later`,
      kind: "task.recovered",
      receivedAt: confirmed.receivedAt,
      unconfirmed: { qrs: "unavailable", reason: "confirmed by QRS later: this run is real, and its page is now its task's alert" },
    });
    deps.counters.unconfirmed.inc({ qrs: "unavailable", action: "confirmed_later" });
    log.info({ executionId: e.executionId, taskId: e.task.id }, "an unconfirmed run's page is handed over to its task's alert: QRS confirms the run");
  }

  async function judge(row: Row, now: number): Promise<boolean | "unanswered"> {
    const held = JSON.parse(row.event) as Held;
    const { e } = held;
    if (now - Number(row.created_at) > GIVE_UP_MS) {
      await db.run("DELETE FROM intake_unconfirmed_pages WHERE run_key = ?", [row.run_key]);
      log.warn(
        { executionId: e.executionId, taskId: e.task.id },
        "QRS never answered about an unconfirmed run's page for 7 days; it is left open for a person",
      );
      return false;
    }
    const verdict = await verdictOf(deps.qrs, held, now - Number(row.created_at), log, deps.finalWordWithinMs);
    if (verdict === undefined) return "unanswered";
    // Asked again at the next look (every PAGE_LOOK_MS while a page is kept).
    if ("wait" in verdict) {
      log.debug({ executionId: e.executionId, why: verdict.wait }, "an unconfirmed run waits for QRS's final word");
      return false;
    }
    // Once for the cluster: the Steward whose delete took the row ends the page (or hands it over).
    const claimed = await db.get("DELETE FROM intake_unconfirmed_pages WHERE run_key = ? RETURNING run_key", [row.run_key]);
    if (!claimed) return false;
    if (verdict.real) {
      await handOver(e);
      return false;
    }
    await deps.bus.emit("task.recovered", ending(e, verdict.why));
    deps.counters.unconfirmed.inc({ qrs: "denied", action: "ended" });
    log.info(
      { executionId: e.executionId, taskId: e.task.id, source: held.sentFrom, why: verdict.why },
      "an unconfirmed run's page is ended: QRS says the run did not happen",
    );
    return true;
  }

  async function sweep(): Promise<number> {
    const now = clock.now();
    const rows = await db.all<Row>(
      "SELECT run_key, task_id, event, created_at FROM intake_unconfirmed_pages WHERE next_at <= ? AND real_run = 0 ORDER BY next_at LIMIT ?",
      [now, PER_LOOK],
    );
    await db.run("DELETE FROM intake_unconfirmed_pages WHERE real_run = 1 AND next_at <= ?", [now]);
    let ended = 0;
    for (const row of rows) {
      const judged = await judge(row, now);
      // QRS does not answer yet: the rest are asked at the next look, not each after its own timeout now.
      if (judged === "unanswered") break;
      if (judged) ended++;
    }
    return ended;
  }

  /** Whether a page is still kept (to judge, or marked real): the sweeps go on at their pace while one is. */
  async function pagesLeft(): Promise<boolean> {
    return (await db.get("SELECT run_key FROM intake_unconfirmed_pages LIMIT 1")) !== undefined;
  }

  const run = () => {
    running = running.then(sweep).catch((err: unknown) => {
      log.warn({ err: describeError(err) }, "could not check the pages of unconfirmed runs; tried again");
      return 0;
    });
    return running;
  };
  // Almost every site keeps no such page: the sweep runs while one is kept, and is woken when one is written here. A
  // page another Steward of a cluster wrote and left (it stopped) is found by an hourly look, on PostgreSQL only.
  const ticker = createDemandTicker(clock, { busyMs: PAGE_LOOK_MS, ...(db.dialect === "postgres" ? { idleMs: IDLE_LOOK_MS } : {}) }, async () => {
    await run();
    return pagesLeft();
  });

  return {
    async paged(e, report) {
      if (!endsByItself(e)) return;
      const { scriptLog: _log, ...kept } = e;
      const held: Held = { e: kept, unnamed: report.executionIdAsSent !== undefined, ...(report.sentFrom !== undefined ? { sentFrom: report.sentFrom } : {}) };
      const now = clock.now();
      await db.run(
        "INSERT INTO intake_unconfirmed_pages (run_key, task_id, event, created_at, next_at, real_run) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (run_key) DO NOTHING",
        [`${e.executionId}|${e.outcome}`, e.task.id.toLowerCase(), JSON.stringify(held), now, now],
      );
      ticker.poke();
    },
    sweep: run,
    component: {
      name: "unconfirmed pages",
      start() {
        ticker.start();
      },
      async stop() {
        await ticker.stop();
        await running;
      },
    },
  };
}
