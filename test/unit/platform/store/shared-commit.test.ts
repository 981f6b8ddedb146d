// The SQLite seam's shared transaction (shared-commit.ts, issue 89): writes made inside run() across turns of the
// event loop, by several callers and through transaction() calls that await each other, are answered as they run and
// committed once, when run()'s function has settled; a caller outside waits for that commit; a function that waits
// for an outside caller's write is cut short at MAX_HOLD_MS instead of holding the store for ever.
import { afterEach, describe, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openStore, type MigrationSet, type Store, STORE_FILE } from "../../../../src/platform/store/database";
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

function open(): { s: Store; seam: SqliteSqlDb } {
  tmp = createTempDir();
  store = openStore(tmp.path, [things]);
  return { s: store, seam: store.sql as SqliteSqlDb };
}

const turn = () => new Promise<void>((r) => setImmediate(r));
/** What another connection sees: only what was committed. */
const committedNames = () => {
  const other = new DatabaseSync(join(tmp.path, STORE_FILE), { readOnly: true });
  try {
    return (other.prepare("SELECT name FROM things ORDER BY id").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    other.close();
  }
};

describe("shared commit", () => {
  test("writes across several turns, awaited one after another, are one commit; nothing is committed before it", async () => {
    const { seam } = open();
    const before = seam.batches.transactions;
    const seenBeforeCommit: string[][] = [];
    const result = await seam.sharedCommit.run(async () => {
      // As a run's record, then a bus subscriber that awaits its own transaction, then the seen mark.
      const id = await seam.transaction(async (tx) => (await tx.run("INSERT INTO things (name) VALUES ('record')")).changes);
      await turn();
      await Promise.all([
        seam.transaction(async (tx) => tx.run("INSERT INTO things (name) VALUES ('outbox')")),
        seam.run("INSERT INTO things (name) VALUES ('mark')"),
      ]);
      seenBeforeCommit.push(committedNames());
      // Read through the seam inside: its own writes, uncommitted.
      return { id, rows: (await seam.all<{ name: string }>("SELECT name FROM things ORDER BY id")).map((r) => r.name) };
    });
    expect(result).toEqual({ id: 1, rows: ["record", "outbox", "mark"] });
    expect(seenBeforeCommit).toEqual([[]]);
    expect(committedNames()).toEqual(["record", "outbox", "mark"]);
    expect(seam.batches.transactions - before).toBe(1);
    expect(seam.sharedCommit.stats.commits).toBe(1);
  });

  test("a transaction() call that throws inside undoes only itself; committed() settles with the commit", async () => {
    const { seam } = open();
    let committed: Promise<void> | undefined;
    const outcomes = await seam.sharedCommit.run(async () => {
      committed = seam.sharedCommit.committed();
      return Promise.allSettled([
        seam.transaction(async (tx) => tx.run("INSERT INTO things (name) VALUES ('a')")),
        seam.transaction(async (tx) => {
          await tx.run("INSERT INTO things (name) VALUES ('b')");
          await tx.run("INSERT INTO things (name) VALUES ('a')"); // UNIQUE: this call's 'b' goes too
        }),
        seam.transaction(async (tx) => tx.run("INSERT INTO things (name) VALUES ('c')")),
      ]);
    });
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(committed).toBeInstanceOf(Promise);
    await committed;
    expect(committedNames()).toEqual(["a", "c"]);
    expect(seam.sharedCommit.committed()).toBeUndefined();
  });

  test("a write from outside waits for the shared transaction's commit and is not part of it", async () => {
    const { seam } = open();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const shared = seam.sharedCommit.run(async () => {
      await seam.run("INSERT INTO things (name) VALUES ('inside')");
      await held;
    });
    await turn();
    let outsideDone = false;
    const outside = seam.run("INSERT INTO things (name) VALUES ('outside')").then(() => (outsideDone = true));
    for (let i = 0; i < 5; i++) await turn();
    expect(outsideDone).toBe(false);
    expect(committedNames()).toEqual([]);
    release();
    await shared;
    await outside;
    expect(committedNames()).toEqual(["inside", "outside"]);
  });

  test("a function waiting for an outside caller's write is cut short: what it wrote commits, the rest goes as usual", async () => {
    const { seam } = open();
    let outsideWrote!: () => void;
    const outside = new Promise<void>((r) => (outsideWrote = r));
    // Armed outside the shared transaction's context (as a read another caller shares): waits for the connection.
    setTimeout(() => void seam.run("INSERT INTO things (name) VALUES ('outside')").then(outsideWrote), 5);
    await seam.sharedCommit.run(async () => {
      await seam.run("INSERT INTO things (name) VALUES ('first')");
      await outside;
      await seam.run("INSERT INTO things (name) VALUES ('after')");
    });
    expect(seam.sharedCommit.stats.cutShort).toBe(1);
    expect(committedNames()).toEqual(["first", "outside", "after"]);
  });
});
