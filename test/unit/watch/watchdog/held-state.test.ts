// The watchdog's state kept for the term of its duty (issue 78): read from the store once a term, written only when it
// changed, so an idle look sends next to nothing to PostgreSQL; and still what the store holds whenever it matters: a
// Steward taking the duty (back) reads what the other wrote, an acknowledgement written by another Steward's API is
// seen at once, a condition the look opens is in the next list. Two watch stores on one SQLite file stand for two
// Stewards on one PostgreSQL database; every statement they send is counted.
import { afterAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { holdWatchState, PRUNE_EVERY_MS } from "../../../../src/watch/watchdog/held-state";
import { createWatchStore, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-held-state-");
const store = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

/** The store as one Steward's connection, counting the statements it sends. */
function counted(db: SqlDb) {
  const sent = { n: 0 };
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || !["get", "all", "run", "exec", "transaction"].includes(String(prop))) return v;
      return (...args: unknown[]) => {
        sent.n++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: proxy, sent };
}

/** A Steward: its watch store held for the terms its watchdog runs. */
function steward() {
  const { db, sent } = counted(store.sql);
  const held = holdWatchState(createWatchStore(db));
  const component = held.component({ name: "watchdog", start: () => {}, stop: () => {} });
  return { store: held.store, sent, begin: () => component.start(), end: () => component.stop(1_000) };
}

const event = (key: string): WatchdogEvent =>
  ({
    id: `watch:${key}`,
    kind: "task.missed",
    receivedAt: new Date(0).toISOString(),
    host: "h",
    title: key,
    summary: "",
    facts: [],
    data: {},
    condition: { type: "missed", key },
  }) as unknown as WatchdogEvent;

test("a term reads its cursors once and writes them when changed; the next holder reads what the last wrote", async () => {
  const a = steward();
  const b = steward();
  await a.begin();
  expect(await a.store.getMeta("exec_cursor")).toBeUndefined();
  await a.store.setMeta("exec_cursor", "100");
  const afterFirst = a.sent.n;
  // Four looks of an idle site: the same cursor read and "written" again, nothing sent.
  for (let i = 0; i < 4; i++) {
    expect(await a.store.getMeta("exec_cursor")).toBe("100");
    await a.store.setMeta("exec_cursor", "100");
  }
  expect(a.sent.n).toBe(afterFirst);
  await a.store.setMeta("exec_cursor", "150");
  expect(a.sent.n).toBe(afterFirst + 1);
  await a.end();

  // b takes the duty: it reads a's cursor from the store, and moves it on.
  await b.begin();
  expect(await b.store.getMeta("exec_cursor")).toBe("150");
  await b.store.setMeta("exec_cursor", "200");
  await b.end();
  // a takes it back: what it kept of its last term is gone, the store's value is read.
  await a.begin();
  expect(await a.store.getMeta("exec_cursor")).toBe("200");
  // Outside a term (a Steward not holding the duty: its routes), every read goes to the store.
  const before = b.sent.n;
  expect(await b.store.getMeta("exec_cursor")).toBe("200");
  expect(await b.store.getMeta("exec_cursor")).toBe("200");
  expect(b.sent.n).toBe(before + 2);
  await a.end();
});

test("an acknowledgement written through another Steward is seen by the holder at once", async () => {
  const a = steward();
  const b = steward();
  await a.begin();
  expect(await a.store.getMeta("ack:missed:t1")).toBeUndefined();
  await b.store.setMeta("ack:missed:t1", '{"by":"ops"}');
  expect(await a.store.getMeta("ack:missed:t1")).toBe('{"by":"ops"}');
  await a.end();
});

test("the open conditions are read once until the look writes one; pruning waits an hour of the term", async () => {
  const a = steward();
  await a.begin();
  const first = await a.store.openConditions();
  const sent = a.sent.n;
  expect(await a.store.openConditions()).toEqual(first);
  expect(a.sent.n).toBe(sent);
  expect(await a.store.open({ key: "missed:t2", type: "missed", taskId: "t2", openedMs: 1, openEvent: event("missed:t2") })).toBe(true);
  expect((await a.store.openConditions()).map((c) => c.key)).toContain("missed:t2");
  await a.store.close("missed:t2", 2, event("missed:t2"));
  expect((await a.store.openConditions()).map((c) => c.key)).not.toContain("missed:t2");

  const t0 = Date.parse("2026-11-23T00:00:00Z");
  const prunes = async (runsBefore: number) => {
    const n = a.sent.n;
    await a.store.prune(runsBefore, runsBefore);
    return a.sent.n - n;
  };
  expect(await prunes(t0)).toBeGreaterThan(0);
  expect(await prunes(t0 + 60_000)).toBe(0);
  expect(await prunes(t0 + PRUNE_EVERY_MS - 1)).toBe(0);
  expect(await prunes(t0 + PRUNE_EVERY_MS)).toBeGreaterThan(0);
  // A new term prunes at its first look.
  await a.end();
  await a.begin();
  expect(await prunes(t0 + PRUNE_EVERY_MS + 60_000)).toBeGreaterThan(0);
  await a.end();
});

test("between the hourly prunes of the store, each look still holds in memory only the recent runs", async () => {
  // Found on the x50 bench: the runs held grew with keepRuns again (2.0 MiB at day 7, 3.8 at day 12) once the term's
  // prune skipped the store, because the skipped prune also skipped what memory holds.
  const mem = openStore(createTempDir("steward-held-hold-").path, [watchdogMigrations]);
  try {
    const held = holdWatchState(createWatchStore(mem.sql));
    const component = held.component({ name: "watchdog", start: () => {}, stop: () => {} });
    await component.start();
    const HOUR = 3_600_000;
    const t0 = Date.parse("2026-11-23T00:00:00Z");
    // One task run every hour for three days, all of it loaded in memory as a look after a start does.
    const runs = Array.from({ length: 72 }, (_, k) => ({
      resultId: `r${k}`,
      taskId: "t1",
      status: 7,
      createdMs: t0 + k * HOUR,
      startMs: t0 + k * HOUR,
      stopMs: t0 + k * HOUR + 60_000,
    }));
    await held.store.addRuns(runs);
    await held.store.runsSince(t0);
    const now = t0 + 72 * HOUR;
    await held.store.prune(now - 35 * 24 * HOUR, now - 7 * 24 * HOUR, now - 48 * HOUR);
    expect(held.store.keptRunsHeld()).toBe(48);
    // A minute later the store is not pruned again, but memory moves its hold on.
    await held.store.prune(now + 60_000 - 35 * 24 * HOUR, now + 60_000 - 7 * 24 * HOUR, now + 2 * HOUR - 48 * HOUR);
    expect(held.store.keptRunsHeld()).toBe(46);
    await component.stop(1_000);
  } finally {
    mem.close();
  }
});
