// The SQLite seam keeps statements prepared by their text, and some texts vary with their input (an IN list of as
// many placeholders as values, a LIMIT a request chose): the cache is bounded, so a long-running Steward does not
// keep every variant it ever ran (issue 78), and a statement whose prepared form went still answers.
import { afterEach, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { openStore, type MigrationSet } from "../../../../src/platform/store/database";
import { MAX_PREPARED } from "../../../../src/platform/store/sqlite-db";
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
