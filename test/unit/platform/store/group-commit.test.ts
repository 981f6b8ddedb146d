// Group commit: concurrent writes share one transaction, each caller is answered after its COMMIT, a failing
// write loses only its own statements, a batch is bounded, and what is queued at close is committed.
import { afterEach, describe, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openStore, type MigrationSet, type Store } from "../../../../src/platform/store/database";
import { createGroupCommit } from "../../../../src/platform/store/group-commit";
import type { SqliteSqlDb } from "../../../../src/platform/store/sqlite-db";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  tmp?.remove();
});

const things: MigrationSet = {
  module: "things",
  migrations: [{ version: 1, name: "things", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)" }],
};

function open(): Store {
  tmp = createTempDir();
  store = openStore(tmp.path, [things]);
  return store;
}

const names = (s: Store) => (s.db.prepare("SELECT name FROM things ORDER BY id").all() as Array<{ name: string }>).map((r) => r.name);

describe("group commit", () => {
  test("100 concurrent writes are one transaction; each caller is answered after the COMMIT", async () => {
    const s = open();
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    const answeredInTransaction: boolean[] = [];
    const writes = Array.from({ length: 100 }, (_, i) =>
      s.writes
        .write(() => Number(insert.run(`n${i}`).lastInsertRowid))
        .then((id) => {
          answeredInTransaction.push(s.db.isTransaction);
          return id;
        }),
    );
    const ids = await Promise.all(writes);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s.writes.stats).toEqual({ transactions: 1, writes: 100, largestBatch: 100 });
    expect(answeredInTransaction.every((open) => !open)).toBe(true);
    expect(names(s)).toHaveLength(100);
  });

  test("a write that throws loses only its own statements; the others of its batch commit", async () => {
    const s = open();
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    const results = await Promise.allSettled([
      s.writes.write(() => insert.run("a")),
      s.writes.write(() => {
        insert.run("b");
        insert.run("a"); // UNIQUE: throws after "b" was inserted in this write's savepoint
      }),
      s.writes.write(() => insert.run("c")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain("UNIQUE");
    expect(names(s)).toEqual(["a", "c"]);
    expect(s.writes.stats.transactions).toBe(1);
  });

  test("a batch carries at most maxBatch writes; the rest go into the next transaction", async () => {
    const s = open();
    const gc = createGroupCommit(s.db, { maxBatch: 10 });
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    await Promise.all(Array.from({ length: 25 }, (_, i) => gc.write(() => insert.run(`n${i}`))));
    expect(gc.stats).toEqual({ transactions: 3, writes: 25, largestBatch: 10 });
  });

  test("writes queued when the store closes are committed, and survive a reopen", async () => {
    const s = open();
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    const pending = [s.writes.write(() => insert.run("late1")), s.writes.write(() => insert.run("late2"))];
    s.close();
    store = undefined;
    await Promise.all(pending);
    const reopened = new DatabaseSync(join(tmp.path, "steward.db"));
    expect(reopened.prepare("SELECT name FROM things ORDER BY id").all()).toEqual([{ name: "late1" }, { name: "late2" }] as never);
    reopened.close();
  });

  test("settled() waits for everything queued before it", async () => {
    const s = open();
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    void s.writes.write(() => insert.run("x"));
    await s.writes.settled();
    expect(names(s)).toEqual(["x"]);
    expect(s.db.isTransaction).toBe(false);
  });

  test("writes queued while the store's async seam has a batch waiting share that batch's commit", async () => {
    const s = open();
    const seam = s.sql as unknown as SqliteSqlDb;
    const insert = s.db.prepare("INSERT INTO things (name) VALUES (?)");
    const [seamBefore, ownBefore] = [seam.batches.transactions, s.writes.stats.transactions];
    // In one moment: a seam write (a KV set, a dedupe mark) and synchronous writes (dashboard history rows).
    const answers = [
      s.sql.run("INSERT INTO things (name) VALUES ('seam')"),
      s.writes.write(() => insert.run("history1")),
      s.writes.write(() => insert.run("history2")),
    ];
    await Promise.all(answers);
    expect(seam.batches.transactions - seamBefore).toBe(1);
    expect(s.writes.stats.transactions - ownBefore).toBe(0);
    expect(names(s).sort()).toEqual(["history1", "history2", "seam"]);
    // On their own (nothing waiting in the seam) they still commit by themselves.
    await s.writes.write(() => insert.run("alone"));
    expect(s.writes.stats.transactions - ownBefore).toBe(1);
    expect(names(s)).toContain("alone");
  });
});
