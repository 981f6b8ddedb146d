// The single pages of failed runs QRS could not confirm (issue 86), checked again once QRS answers. While QRS is
// slow, a forged run cannot be told from a real one and up to perSource of them are paged one by one, each an alert
// of its own task (PagerDuty dedup_key steward-task-<id>): a forged task never recovers, so nothing would ever end
// it. Each such page is kept here (in the store the Stewards of a cluster share); when QRS answers that the run did
// not happen (it has no such task, or the task has no execution of that id), the page is ended with a
// task.recovered saying so, which every channel that got the trigger ends as it ends any recovery (PagerDuty's
// resolve with the same dedup_key, the Opsgenie close, Alertmanager's endsAt, a recovery on chat and mail).
// A real run's page is left open: its task's next success ends it, as always. A page that shares its alert with an
// incident or a cause is left to them. Claimed by deleting its row: with two Stewards, one ends it.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createDemandTicker } from "../../platform/core/demand-ticker";
import type { EventBus } from "../../platform/core/bus";
import { describeError, isAppError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { Counter } from "../../platform/core/metrics";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import type { SqlDb } from "../../platform/store/sql";
import type { RunReport } from "../events/run-report";

/** How often the held pages are checked (all that are due, until QRS fails to answer one). */
export const PAGE_LOOK_MS = 30_000;
/** How often a Steward on PostgreSQL looks for pages another Steward kept and left, while it keeps none itself. */
const IDLE_LOOK_MS = 3_600_000;
/** A real run's row is kept this long, so a forged run of the same task does not end the task's real alert. */
const REAL_KEPT_MS = 24 * 3_600_000;
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

type Verdict = { real: true } | { real: false; why: string } | undefined;

export function createUnconfirmedPages(deps: {
  db: SqlDb;
  qrs: QrsClient;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  counters: { unconfirmed: Counter };
}): UnconfirmedPages {
  const { db, clock } = deps;
  const log = deps.log.child({ module: "unconfirmed-pages" });
  let running: Promise<number> = Promise.resolve(0);

  /** Whether QRS has the run: undefined when it could not be asked. */
  async function verdictOf({ e, unnamed }: Held): Promise<Verdict> {
    try {
      await deps.qrs.getTask(e.task.id);
    } catch (err) {
      if (isAppError(err) && err.code === "NOT_FOUND") return { real: false, why: `QRS has no task ${e.task.id}` };
      log.debug({ taskId: e.task.id, err: describeError(err) }, "QRS could not be asked about an unconfirmed run's task yet");
      return undefined;
    }
    // A datagram that named no execution is matched by time: its task exists, so it is left as a real run would be.
    if (unnamed) return { real: true };
    let runs: Awaited<ReturnType<QrsClient["getExecutionResults"]>>;
    try {
      runs = await deps.qrs.getExecutionResults(eq("executionID", e.executionId));
    } catch (err) {
      log.debug({ executionId: e.executionId, err: describeError(err) }, "QRS could not be asked about an unconfirmed run yet");
      return undefined;
    }
    const mine = runs.filter((r) => !r.taskID || r.taskID.toLowerCase() === e.task.id.toLowerCase());
    return mine.length > 0 ? { real: true } : { real: false, why: `QRS has no execution ${e.executionId} of task ${e.task.id}` };
  }

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
    const verdict = await verdictOf(held);
    if (verdict === undefined) return "unanswered";
    if (verdict.real) {
      // Kept a day, marked real: a forged run of the same task must not end the alert this real failure holds open.
      await db.run("UPDATE intake_unconfirmed_pages SET real_run = 1, next_at = ? WHERE run_key = ?", [now + REAL_KEPT_MS, row.run_key]);
      return false;
    }
    const sharedWithReal = await db.get("SELECT run_key FROM intake_unconfirmed_pages WHERE task_id = ? AND real_run = 1", [row.task_id]);
    // Once for the cluster: the Steward whose delete took the row ends the page.
    const claimed = await db.get("DELETE FROM intake_unconfirmed_pages WHERE run_key = ? RETURNING run_key", [row.run_key]);
    if (!claimed) return false;
    if (sharedWithReal) {
      log.info(
        { executionId: e.executionId, taskId: e.task.id, why: verdict.why },
        "an unconfirmed run did not happen, but its task's alert also holds a real failure: left open",
      );
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
