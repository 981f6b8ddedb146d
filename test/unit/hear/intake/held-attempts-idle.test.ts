// The held attempts' minute look on SQLite, where this Steward is the file's only writer: with nothing held it sends
// no statement, and with an attempt held it sends none until the attempt falls due, then announces it at the same
// minute as before (issue 89: the look's query found nothing on almost every minute, 1,440 statements a simulated day
// in every stepped scenario). Before, every look queried the store.
import { afterAll, expect, test } from "bun:test";
import pino from "pino";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createHeldAttempts, heldAttemptMigrations } from "../../../../src/hear/intake/held-attempts";
import { intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { createTempDir } from "../../../helpers/temp-dir";

const MIN = 60_000;
const T0 = Date.parse("2026-03-23T00:00:00Z");
const dir = createTempDir("steward-held-idle-");
const store = openStore(dir.path, [intakeMigrations, heldAttemptMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

/** The store's SqlDb, counting the statements about held attempts. */
function counted(db: SqlDb): { db: SqlDb; statements: () => number } {
  let n = 0;
  const db2 = new Proxy(db, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof v !== "function") return v;
      if (key !== "all" && key !== "get" && key !== "run") return v.bind(target);
      return (sql: string, params?: unknown[]) => {
        if (sql.includes("intake_held_attempts")) n++;
        return (v as SqlDb["all"]).call(target, sql, params as never);
      };
    },
  });
  return { db: db2, statements: () => n };
}

const attempt = (executionId: string) =>
  ({
    id: `${executionId}:failed`,
    kind: "task.failed",
    outcome: "failed",
    executionId,
    receivedAt: new Date(T0).toISOString(),
    task: { id: "T-1", name: "Reload Sales", tags: [], customProperties: [] },
  }) as unknown as TaskEvent;

test("with nothing held the look sends nothing; a held attempt is announced at the first look past its deadline, as before", async () => {
  const clock = createSteppedClock(T0);
  const log = pino({ level: "silent" });
  const bus = createEventBus<DomainEvents>(log);
  const announced: Array<{ at: number; id: string }> = [];
  bus.on("task.failed", (e) => void announced.push({ at: clock.now(), id: e.id }));
  const { db, statements } = counted(store.sql);
  const held = createHeldAttempts(120, { db, clock, log, bus, instanceId: "steward-a" });
  held.start();
  try {
    // Three idle hours: the first look asks the store (and when the next attempt falls due), the hourly prunes run.
    await clock.runUntil(T0 + 180 * MIN);
    expect(statements()).toBeLessThanOrEqual(2 + 3);
    // An attempt held at 03:00:30 falls due at 05:00:30: announced at the look of 05:01, not before.
    await clock.runUntil(T0 + 180 * MIN + 30_000);
    await held.held(attempt("exec-1"));
    const before = statements();
    await clock.runUntil(T0 + 300 * MIN);
    expect(announced).toEqual([]);
    // While it is held, the looks before its deadline send nothing either (the hold, one look and the hourly prunes).
    expect(statements() - before).toBeLessThanOrEqual(2 + 2);
    await clock.runUntil(T0 + 302 * MIN);
    expect(announced).toEqual([{ at: T0 + 301 * MIN, id: "exec-1:outcome-unknown" }]);
    // Announced, it is not announced again, and the looks are idle again.
    const after = statements();
    await clock.runUntil(T0 + 420 * MIN);
    expect(announced).toHaveLength(1);
    expect(statements() - after).toBeLessThanOrEqual(2 + 2);
  } finally {
    held.stop();
  }
});
