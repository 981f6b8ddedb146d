// The open conditions a look asks for four to five times are read from the SQLite file once, until a watch store on
// it writes a condition. After any mix of writes through two watch stores on one file they must be exactly what the
// file holds; a change made behind the watch stores' back (which Steward never makes) shows the answer came from
// memory; what one caller gets cannot be changed under another.
import { afterAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { openStore } from "../../../../src/platform/store/database";
import { createWatchStore, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-open-conditions-");
const store = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  store.close();
  dir.remove();
});

const event = (key: string, openedMs: number, phase: "open" | "closed"): WatchdogEvent =>
  ({
    id: `watch:${key}:${openedMs}:${phase}`,
    kind: phase === "open" ? "task.missed" : "task.on_track",
    receivedAt: new Date(openedMs).toISOString(),
    host: "reload01",
    title: `${key} ${phase}`,
    summary: "",
    facts: [{ name: "Expected", value: new Date(openedMs).toISOString() }],
    data: { expectedAt: new Date(openedMs).toISOString() },
    task: { id: key, name: key, tags: ["nightly"], customProperties: [] },
    condition: { type: "missed", key },
  }) as unknown as WatchdogEvent;

/** What the file holds, read and parsed directly. */
const fromFile = async () =>
  (
    await store.sql.all<{ key: string; open_event: string; open_announced: number }>(
      "SELECT key, open_event, open_announced FROM watchdog_conditions WHERE closed_ms IS NULL ORDER BY opened_ms",
    )
  ).map((r) => ({ key: r.key, title: (JSON.parse(r.open_event) as WatchdogEvent).title, announced: r.open_announced === 1 }));

const seen = (rows: Awaited<ReturnType<ReturnType<typeof createWatchStore>["openConditions"]>>) =>
  rows.map((r) => ({ key: r.key, title: r.openEvent.title, announced: r.openAnnounced }));

test("open conditions answer as the file does through opens, closes, reopenings and announcements by two watch stores", async () => {
  const a = createWatchStore(store.sql);
  const b = createWatchStore(store.sql);
  const random = createRandom(11);
  let now = 1_000_000;
  for (let step = 0; step < 300; step++) {
    now += 60_000;
    const writer = random.next() < 0.5 ? a : b;
    const key = `missed:t${Math.floor(random.next() * 12)}`;
    const pick = random.next();
    if (pick < 0.45) await writer.open({ key, type: "missed", taskId: key, openedMs: now, openEvent: event(key, now, "open") });
    else if (pick < 0.75) await writer.close(key, now, event(key, now, "closed"));
    else if (pick < 0.9) await writer.markOpenAnnounced(key);
    else await writer.prune(0, now);
    // Several reads between writes, as a look makes them, by either store.
    for (let i = 0; i < 3; i++) {
      const reader = random.next() < 0.5 ? a : b;
      expect(seen(await reader.openConditions())).toEqual(await fromFile());
    }
  }
  expect((await a.openConditions()).length).toBeGreaterThan(2);
});

test("a second read without a write through a watch store is answered from memory, and the next write reads the file again", async () => {
  const a = createWatchStore(store.sql);
  await a.open({ key: "missed:memory", type: "missed", taskId: "memory", openedMs: 5, openEvent: event("missed:memory", 5, "open") });
  const first = await a.openConditions();
  expect(first.find((r) => r.key === "missed:memory")?.openEvent.title).toBe("missed:memory open");
  // Behind the watch stores' back: the list in memory does not see it (before the list was kept, every read did).
  await store.sql.run("UPDATE watchdog_conditions SET open_event = ? WHERE key = ?", [JSON.stringify(event("missed:memory", 5, "closed")), "missed:memory"]);
  expect((await a.openConditions()).find((r) => r.key === "missed:memory")?.openEvent.title).toBe("missed:memory open");
  // Any write through a watch store, even one that changes nothing, makes the next read go to the file.
  expect(await createWatchStore(store.sql).close("missed:not-open", 6, event("missed:not-open", 6, "closed"))).toBe(false);
  expect((await a.openConditions()).find((r) => r.key === "missed:memory")?.openEvent.title).toBe("missed:memory closed");
});

test("a write that starts while a read is on its way is seen by the next read", async () => {
  const a = createWatchStore(store.sql);
  await a.openConditions();
  const reading = a.openConditions();
  const opening = a.open({ key: "missed:race", type: "missed", taskId: "race", openedMs: 7, openEvent: event("missed:race", 7, "open") });
  await Promise.all([reading, opening]);
  expect((await a.openConditions()).some((r) => r.key === "missed:race")).toBe(true);
  await store.sql.run("UPDATE watchdog_conditions SET closed_ms = 8 WHERE key = ?", ["missed:race"]);
  await a.markOpenAnnounced("missed:race");
  expect((await a.openConditions()).some((r) => r.key === "missed:race")).toBe(false);
});

test("what a caller gets cannot be changed under the next caller", async () => {
  const a = createWatchStore(store.sql);
  await a.open({ key: "missed:frozen", type: "missed", taskId: "frozen", openedMs: 9, openEvent: event("missed:frozen", 9, "open") });
  const rows = await a.openConditions();
  const row = rows.find((r) => r.key === "missed:frozen")!;
  expect(() => {
    (row as { openAnnounced: boolean }).openAnnounced = true;
  }).toThrow();
  expect(() => {
    row.openEvent.facts.push({ name: "x", value: "y" });
  }).toThrow();
  // The list itself is the caller's own: reordering or emptying it leaves the next answer whole.
  const count = rows.length;
  rows.reverse();
  rows.length = 0;
  expect((await a.openConditions()).length).toBe(count);
});
