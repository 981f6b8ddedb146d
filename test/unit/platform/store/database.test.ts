// The store: migrations apply once and in order, also on an existing file; a newer schema is refused;
// a second opener gets a clear "in use" error.
import { afterEach, describe, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openStore, type MigrationSet, WAL_CHECKPOINT_PAGES } from "../../../../src/platform/store/database";
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

  test("the WAL is checkpointed past 10,000 pages, not SQLite's 1,000 (each checkpoint holds the commit that triggers it)", () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [v1]);
    expect((store.db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(WAL_CHECKPOINT_PAGES);
    // About 3,000 pages in 600 commits: past SQLite's default, which would have started the WAL over by now.
    const insert = store.db.prepare("INSERT INTO things (name) VALUES (?)");
    for (let i = 0; i < 600; i++) insert.run("x".repeat(16_000));
    const wal = store.db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number; checkpointed: number };
    expect(wal.log).toBeGreaterThan(2_000);
    expect(wal.checkpointed).toBe(wal.log);
    store.close();
  });

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

  test("a second instance on the same data directory gets a clear error", () => {
    tmp = createTempDir();
    const first = openStore(tmp.path, [v1]);
    expect(() => openStore(tmp.path, [v1])).toThrow(/in use by another Steward instance \(process \d+\)/);
    first.close();
    openStore(tmp.path, [v1]).close();
  });

  test("migrations must be numbered from 1 without gaps", () => {
    tmp = createTempDir();
    const gap: MigrationSet = { module: "gap", migrations: [{ version: 2, name: "x", sql: "SELECT 1" }] };
    expect(() => openStore(tmp.path, [gap])).toThrow(/numbered 1, 2, 3/);
  });
});
