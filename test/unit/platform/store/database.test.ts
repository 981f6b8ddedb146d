// The store: migrations apply once and in order, also on an existing file; a newer schema is refused;
// a second opener gets a clear "in use" error.
import { afterEach, describe, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE, openStore, type MigrationSet } from "../../../../src/platform/store/database";
import { startWalCheckpointer, WAL_CHECKPOINT_BYTES } from "../../../../src/platform/store/wal-checkpointer";
import { waitFor } from "../../../helpers/wait-for";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
afterEach(() => tmp?.remove());

const v1: MigrationSet = { module: "things", migrations: [{ version: 1, name: "things", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)" }] };
const v2: MigrationSet = {
  module: "things",
  migrations: [...v1.migrations, { version: 2, name: "colour", sql: "ALTER TABLE things ADD COLUMN colour TEXT DEFAULT 'blue'" }],
};

describe("store", () => {
  test("WAL mode, migrations recorded, data kept across reopen, new migrations applied to the existing file", () => {
    tmp = createTempDir();
    const a = openStore(tmp.path, [v1]);
    expect((a.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    a.db.prepare("INSERT INTO things (name) VALUES (?)").run("kept");
    a.close();

    const b = openStore(tmp.path, [v2]);
    expect(b.db.prepare("SELECT name, colour FROM things").all()).toEqual([{ name: "kept", colour: "blue" }] as never);
    const applied = b.db.prepare("SELECT module, version FROM schema_migrations ORDER BY version").all();
    expect(applied).toEqual([
      { module: "things", version: 1 },
      { module: "things", version: 2 },
    ] as never);
    b.close();
  });

  test("the main connection never checkpoints in a commit; past WAL_CHECKPOINT_BYTES the checkpoint thread copies the WAL and starts it over", async () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [v1]);
    expect((store.db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(0);
    // About 8 MB in 500 commits, twice the threshold: SQLite alone would not have copied a page of it.
    const insert = store.db.prepare("INSERT INTO things (name) VALUES (?)");
    for (let i = 0; i < 500; i++) insert.run("x".repeat(16_000));
    await waitFor(() => store.walCheckpoints.checkpoints >= 1, { what: "a checkpoint by the thread" });
    expect(store.walCheckpoints.fallback).toBeUndefined();
    // The pages are in the database file, and the next write started the WAL over from its beginning.
    expect(statSync(join(tmp.path, "steward.db")).size).toBeGreaterThan(7_000_000);
    insert.run("after");
    const wal = store.db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number };
    expect(wal.log).toBeLessThan(WAL_CHECKPOINT_BYTES / 4096 / 2);
    store.close();
    // Stopped: the WAL is emptied and the thread's connection is closed (the store opens again at once).
    expect(statSync(join(tmp.path, "steward.db-wal"), { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    openStore(tmp.path, [v1]).close();
  }, 60_000);

  test("writes that never pause: the thread copies, the main connection restarts the WAL between transactions", async () => {
    tmp = createTempDir();
    const file = join(tmp.path, "paced.db");
    const db = new DatabaseSync(file);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT)");
    let restarts = 0;
    const c = startWalCheckpointer(file, {
      thresholdBytes: 64 * 1024,
      restartPages: 256,
      pollMs: 10,
      fallback: (r) => {
        throw new Error(r);
      },
      restart: () => {
        if (db.isTransaction) return false;
        const ok = (db.prepare("PRAGMA wal_checkpoint(RESTART)").get() as { busy: number }).busy === 0;
        if (ok) restarts++;
        return ok;
      },
    });
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const value = "x".repeat(10_000);
    // 20 MB in transactions of 100 KB with a turn of the event loop between two: the writes never pause for long.
    for (let i = 0; i < 200; i++) {
      db.exec("BEGIN");
      for (let j = 0; j < 10; j++) insert.run(value);
      db.exec("COMMIT");
      c.written();
      await new Promise<void>((r) => setImmediate(r));
    }
    await waitFor(() => c.stats.restarts > 0, { what: "a restart" });
    expect(restarts).toBe(c.stats.restarts);
    expect(c.stats.checkpoints).toBeGreaterThan(0);
    expect(c.stats.fallback).toBeUndefined();
    // How large the file grew depends on how often the thread got a core: a benchmark's figure (bench/README.md).
    c.close();
    db.close();
  }, 120_000);

  test("an idle store does not look at its WAL: a look follows a write, and none follows while nothing is written", async () => {
    tmp = createTempDir();
    const file = join(tmp.path, "idle.db");
    const db = new DatabaseSync(file);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT)");
    const c = startWalCheckpointer(file, {
      pollMs: 20,
      fallback: (r) => {
        throw new Error(r);
      },
      restart: () => false,
    });
    // The look at the start and the one after it, which finds the file unchanged; then none (a poll looked 50 a second).
    await waitFor(() => c.stats.looks >= 2, { what: "the looks after the start" });
    await Bun.sleep(300);
    const settled = c.stats.looks;
    await Bun.sleep(500);
    expect(c.stats.looks).toBe(settled);
    db.prepare("INSERT INTO t (v) VALUES ('x')").run();
    c.written();
    await waitFor(() => c.stats.looks > settled, { what: "a look after the write" });
    await Bun.sleep(500);
    const after = c.stats.looks;
    expect(after - settled).toBeLessThanOrEqual(2);
    await Bun.sleep(300);
    expect(c.stats.looks).toBe(after);
    c.close();
    db.close();
  }, 60_000);

  test("the store's writes, a statement or an exec on its connection, tell the checkpointer", async () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [v1]);
    await waitFor(() => store.walCheckpoints.looks >= 2, { what: "the looks after the start" });
    await Bun.sleep(600);
    let before = store.walCheckpoints.looks;
    store.db.prepare("INSERT INTO things (name) VALUES (?)").run("a");
    await waitFor(() => store.walCheckpoints.looks > before, { what: "a look after an insert" });
    await Bun.sleep(600);
    before = store.walCheckpoints.looks;
    store.db.exec("UPDATE things SET name = 'b'");
    await waitFor(() => store.walCheckpoints.looks > before, { what: "a look after an exec" });
    await Bun.sleep(600);
    before = store.walCheckpoints.looks;
    await store.sql.run("INSERT INTO things (name) VALUES (?)", ["c"]);
    await waitFor(() => store.walCheckpoints.looks > before, { what: "a look after a write through the seam" });
    await Bun.sleep(600);
    // A read is not a write.
    before = store.walCheckpoints.looks;
    expect(store.db.prepare("SELECT count(*) AS n FROM things").get()).toEqual({ n: 2 });
    await Bun.sleep(600);
    expect(store.walCheckpoints.looks).toBe(before);
    store.close();
  }, 60_000);

  test("where the checkpoint thread cannot work, SQLite's own checkpoints (every 10,000 pages) come back", async () => {
    tmp = createTempDir();
    let reason: string | undefined;
    // A "database" that is a folder, beside a WAL that was just written: the thread cannot open it.
    mkdirSync(join(tmp.path, "steward.db"));
    writeFileSync(join(tmp.path, "steward.db-wal"), "x");
    const c = startWalCheckpointer(join(tmp.path, "steward.db"), { thresholdBytes: 0, fallback: (r) => void (reason = r), restart: () => false });
    await waitFor(() => reason, { what: "the fallback" });
    expect(reason).toMatch(/the checkpoint thread failed \(open\): .*unable to open/);
    expect(c.stats.fallback).toBe(reason);
    c.close();
  }, 60_000);

  test("a store written by a newer build is refused with an explanation", () => {
    tmp = createTempDir();
    openStore(tmp.path, [v2]).close();
    expect(() => openStore(tmp.path, [v1])).toThrow(/written by a newer Steward \(things schema 2, this build knows 1\)/);
  });

  test("a failing migration is rolled back and reported", () => {
    tmp = createTempDir();
    const bad: MigrationSet = { module: "bad", migrations: [{ version: 1, name: "broken", sql: "CREATE TABLE ok (a); CREATE TABLE ok (a)" }] };
    expect(() => openStore(tmp.path, [bad])).toThrow(/store migration bad #1 \(broken\) failed: .*already exists/);
    const db = new DatabaseSync(join(tmp.path, "steward.db"));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").all()).toEqual([]);
    db.close();
  });

  test("an upgrade is one transaction: a failing migration leaves the store at the versions it had", () => {
    tmp = createTempDir();
    openStore(tmp.path, [v1]).close();
    const broken = { version: 3, name: "typo", sql: "ALTER TABLE nosuch ADD COLUMN x TEXT" };
    expect(() => openStore(tmp.path, [{ module: "things", migrations: [...v2.migrations, broken] }])).toThrow(
      /store migration things #3 \(typo\) failed: .*nosuch/,
    );
    const db = new DatabaseSync(join(tmp.path, "steward.db"));
    // #2 went with #3: one commit for the whole upgrade (an empty store took one per migration, 82 of them).
    expect(db.prepare("SELECT version FROM schema_migrations WHERE module = 'things'").all()).toEqual([{ version: 1 }]);
    expect(db.prepare("SELECT name FROM pragma_table_info('things') ORDER BY name").all()).toEqual([{ name: "id" }, { name: "name" }]);
    db.close();
    const upgraded = openStore(tmp.path, [v2]);
    expect(upgraded.db.prepare("SELECT version FROM schema_migrations WHERE module = 'things' ORDER BY version").all()).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    upgraded.close();
  });

  test("a second instance on the same data directory gets a clear error", () => {
    tmp = createTempDir();
    const first = openStore(tmp.path, [v1]);
    expect(() => openStore(tmp.path, [v1])).toThrow(/in use by another Steward instance \(process \d+\)/);
    first.close();
    openStore(tmp.path, [v1]).close();
  });

  test("the instance lock is taken without a write: its file stays empty, no journal is made or synced", () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [v1]);
    expect(statSync(join(tmp.path, LOCK_FILE)).size).toBe(0);
    expect(existsSync(join(tmp.path, `${LOCK_FILE}-journal`))).toBe(false);
    // Held all the same: a plain SQLite connection cannot even read the file while the store is open.
    const other = new DatabaseSync(join(tmp.path, LOCK_FILE));
    expect(() => other.exec("SELECT count(*) FROM sqlite_master")).toThrow(/locked/);
    store.close();
    other.exec("SELECT count(*) FROM sqlite_master");
    other.close();
  });

  test("migrations must be numbered from 1 without gaps", () => {
    tmp = createTempDir();
    const gap: MigrationSet = { module: "gap", migrations: [{ version: 2, name: "x", sql: "SELECT 1" }] };
    expect(() => openStore(tmp.path, [gap])).toThrow(/numbered 1, 2, 3/);
  });
});
