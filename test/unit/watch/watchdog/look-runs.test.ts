// Memory holds two days of runs (issue 78); an alert open since before them still closes with the run that answers
// it: the look reads that one run from the store (and remembers it while the alert stays open).
import { afterAll, expect, test } from "bun:test";
import { openStore } from "../../../../src/platform/store/database";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { createLookRuns, RECENT_RUNS_MS } from "../../../../src/watch/watchdog/look-runs";
import { createWatchStore, type RunRow, watchdogMigrations } from "../../../../src/watch/watchdog/watch-store";
import { createTempDir } from "../../../helpers/temp-dir";

const dir = createTempDir("steward-look-runs-");
const db = openStore(dir.path, [watchdogMigrations]);
afterAll(() => {
  db.close();
  dir.remove();
});

const DAY = 86_400_000;
const HOUR = 3_600_000;
const cfg = WatchdogSchema.parse({});
const T0 = Date.parse("2026-11-02T00:00:00Z");

test("an alert open since before the runs held is closed by the start that answers it, read from the store once", async () => {
  const store = createWatchStore(db.sql);
  let reads = 0;
  const counted = {
    ...store,
    firstStartFrom: (...a: Parameters<typeof store.firstStartFrom>) => {
      reads++;
      return store.firstStartFrom(...a);
    },
  };
  // Task t runs daily at 06:00 for a minute; its run of day 1 did not come. Task u ran on day 0 only.
  const run = (taskId: string, at: number, status = 7): RunRow => ({
    resultId: `${taskId}-${at}`,
    taskId,
    status,
    createdMs: at,
    startMs: at,
    stopMs: at + 60_000,
  });
  const runs = [0, 2, 3, 4, 5, 6].map((d) => run("t", T0 + d * DAY + 6 * HOUR));
  const now = T0 + 6 * DAY + 12 * HOUR;
  await store.runsSince(now - cfg.keepRuns);
  await store.addRuns([...runs, run("u", T0 + 6 * HOUR)]);
  await store.prune(now - cfg.keepRuns, now - 7 * DAY, now - RECENT_RUNS_MS);
  const missed = { type: "missed", taskId: "t", openedMs: T0 + DAY + 6 * HOUR + 5 * 60_000, details: { expectedAtMs: T0 + DAY + 6 * HOUR } };
  const lookRuns = createLookRuns();
  const input = { cfg, plan: { tasks: new Map() }, nowMs: now, checkedUntilMs: now - 60_000, startLatencyMs: 0, open: [missed] };
  const look = await lookRuns.forLook(counted, input);
  // Held: t's runs of the last two days; u's only run, however old. Added: t's run of day 2, the first start after
  // the due time of day 1 (what closes the alert), not the run of day 0 before it.
  expect(look.fromMs).toBe(now - RECENT_RUNS_MS);
  expect(
    look
      .runsByTask!.get("t")!
      .rows()
      .map((r) => (r.createdMs - T0) / DAY),
  ).toEqual([2.25, 5.25, 6.25]);
  expect(
    look
      .runsByTask!.get("u")!
      .rows()
      .map((r) => r.createdMs),
  ).toEqual([T0 + 6 * HOUR]);
  expect(reads).toBe(1);
  // The next look remembers it; once the alert is closed nothing is read for it.
  await lookRuns.forLook(counted, input);
  expect(reads).toBe(1);
  expect((await lookRuns.forLook(counted, { ...input, open: [] })).runsByTask!.get("t")!.length).toBe(2);
  expect(reads).toBe(1);
});
