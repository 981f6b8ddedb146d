// A write that fails for a full disk ends SQLite's whole transaction, not only its own statement. Writes that share a
// commit with it (group commit) were undone with it and must be answered as failed, never as committed; the writes
// after it go on in a transaction of their own. A database held at its size (max_page_count) gives SQLITE_FULL on the
// first write that needs a new page, as a full disk does.
import { afterEach, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { createGroupCommit } from "../../../../src/platform/store/group-commit";
import { isDiskFull, mayHaveBeenApplied } from "../../../../src/platform/store/sql";
import { createSqliteDb } from "../../../../src/platform/store/sqlite-db";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
afterEach(() => tmp?.remove());

function fullDatabase(): DatabaseSync {
  tmp = createTempDir();
  const db = new DatabaseSync(join(tmp.path, "full.db"));
  db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT)");
  const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages}`);
  return db;
}

const big = "x".repeat(20_000);
const rows = (db: DatabaseSync) => (db.prepare("SELECT v FROM t ORDER BY rowid").all() as Array<{ v: string }>).map((r) => r.v.slice(0, 8));
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "committed",
    (e: unknown) => (isDiskFull(e) ? "disk full" : `failed: ${(e as Error).message}`),
  );

test("the SQL seam: every write that shared a transaction with one the disk refused is answered as failed; the ones after commit", async () => {
  const db = fullDatabase();
  const sql = createSqliteDb(db);
  const answers = await Promise.all([
    outcome(sql.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('before')"))),
    outcome(sql.transaction((tx) => tx.run("INSERT INTO t (v) VALUES (?)", [big]))),
    outcome(sql.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('after')"))),
    outcome(sql.run("INSERT INTO t (v) VALUES ('one')")),
    outcome(sql.run("INSERT INTO t (v) VALUES (?)", [big])),
    outcome(sql.run("INSERT INTO t (v) VALUES ('two')")),
  ]);
  expect(answers).toEqual(["disk full", "disk full", "disk full", "disk full", "disk full", "committed"]);
  expect(rows(db)).toEqual(["two"]);
  db.close();
});

test("group commit: the same, and the batch is answered (it used to throw out of its flush and leave every caller waiting)", async () => {
  const db = fullDatabase();
  const writes = createGroupCommit(db);
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  const answers = await Promise.all([
    outcome(writes.write(() => insert.run("before"))),
    outcome(writes.write(() => insert.run(big))),
    outcome(writes.write(() => insert.run("after"))),
  ]);
  expect(answers).toEqual(["disk full", "disk full", "committed"]);
  expect(rows(db)).toEqual(["after"]);
  db.close();
});

test("a write refused for a full disk was not applied: a client is told so, and may try again", () => {
  const db = fullDatabase();
  let err: unknown;
  try {
    db.prepare("INSERT INTO t (v) VALUES (?)").run(big);
  } catch (e) {
    err = e;
  }
  expect(isDiskFull(err)).toBe(true);
  expect(mayHaveBeenApplied(err)).toBe(false);
  db.close();
});
