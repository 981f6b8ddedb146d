// The SQLite seam keeps statements prepared by their text, and some texts vary with their input (an IN list of as
// many placeholders as values, a LIMIT a request chose): the cache is bounded, so a long-running Steward does not
// keep every variant it ever ran (issue 78), and a statement whose prepared form went still answers.
import { afterEach, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { openStore, type MigrationSet } from "../../../../src/platform/store/database";
import { createStatementCache, MAX_PREPARED } from "../../../../src/platform/store/sqlite-db";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
afterEach(() => tmp?.remove());

const things: MigrationSet = { module: "things", migrations: [{ version: 1, name: "things", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY)" }] };

/** Prepared statements alive after a full collection. */
function statementsAlive(): number {
  Bun.gc(true);
  return (heapStats().objectTypeCounts as Record<string, number>).StatementSync ?? 0;
}

test("5,000 texts run once each leave at most the bound prepared, and the first text still answers", async () => {
  tmp = createTempDir();
  const store = openStore(tmp.path, [things]);
  try {
    const first = "SELECT ? AS a";
    expect(await store.sql.get<{ a: number }>(first, [1])).toEqual({ a: 1 });
    const before = statementsAlive();
    for (let n = 1; n <= 5_000; n++) {
      const row = await store.sql.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM things WHERE id IN (${Array(n % 300 || 1)
          .fill("?")
          .join(", ")}) LIMIT ${n}`,
        Array(n % 300 || 1).fill(0),
      );
      expect(row).toEqual({ n: 0 });
    }
    // Before the bound: 5,000 more (every text kept).
    expect(statementsAlive() - before).toBeLessThanOrEqual(MAX_PREPARED);
    expect(await store.sql.get<{ a: number }>(first, [2])).toEqual({ a: 2 });
  } finally {
    store.close();
  }
});

test("a statement used all along stays prepared while thousands of varying texts come and go", () => {
  // What an hour of a large site looks like: the look's and the runs' statements again and again, and IN lists of
  // every length between them. The first bound (the oldest prepared goes first) prepared the hot ones again each
  // time 512 new texts had passed.
  const prepared = new Map<string, number>();
  const cached = createStatementCache((sql) => {
    prepared.set(sql, (prepared.get(sql) ?? 0) + 1);
    return { sql };
  });
  const hot = ["SELECT * FROM watchdog_runs WHERE stop_ms >= ?", "INSERT INTO incident_runs (id) VALUES (?)"];
  for (let n = 1; n <= 5_000; n++) {
    for (const sql of hot) expect(cached(sql).sql).toBe(sql);
    cached(`SELECT * FROM causes WHERE id IN (${Array(n).fill("?").join(", ")})`);
  }
  for (const sql of hot) expect(prepared.get(sql)).toBe(1);
  // Each varying text was prepared once, and the oldest of them were forgotten: asked again, prepared again.
  cached("SELECT * FROM causes WHERE id IN (?)");
  expect(prepared.get("SELECT * FROM causes WHERE id IN (?)")).toBe(2);
});
