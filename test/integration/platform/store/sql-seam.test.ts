// The async SQL seam behaves the same on the embedded SQLite file and on PostgreSQL: the statements every
// module writes once (placeholders, upserts, 64-bit epoch milliseconds, counts, transactions) give the same
// answers on both.
import { afterAll, describe, expect, test } from "bun:test";
import type { MigrationSet } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { bothBackends } from "../../../helpers/sql-backends";

const testTables: MigrationSet = {
  module: "seamtest",
  migrations: [
    {
      version: 1,
      name: "items",
      sql: `CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE pairs (a TEXT NOT NULL, b TEXT NOT NULL, v TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;`,
    },
  ],
};

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());
    const fresh = (): Promise<SqlDb> => backend.open([testTables]);

    test("get, all and run with ? placeholders; changes counts rows; ids increase", async () => {
      const db = await fresh();
      expect(db.dialect).toBe(backend.name);
      expect((await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["a", 1])).changes).toBe(1);
      await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["b", 2]);
      const rows = await db.all<{ id: number; name: string }>("SELECT id, name FROM items ORDER BY id");
      expect(rows.map((r) => r.name)).toEqual(["a", "b"]);
      expect(Number(rows[1]?.id)).toBeGreaterThan(Number(rows[0]?.id));
      expect(await db.get("SELECT name FROM items WHERE name = ?", ["zzz"])).toBeUndefined();
      expect((await db.run("UPDATE items SET n = n + 1 WHERE at >= ?", [0])).changes).toBe(2);
      expect((await db.run("DELETE FROM items WHERE name = ?", ["nope"])).changes).toBe(0);
    });

    test("epoch milliseconds and counts come back as JavaScript numbers", async () => {
      const db = await fresh();
      const at = 1_790_000_000_123;
      await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["t", at]);
      const row = await db.get<{ at: unknown; c: unknown; s: unknown; m: unknown }>(
        "SELECT at, (SELECT COUNT(*) FROM items) AS c, (SELECT SUM(at) FROM items) AS s, (SELECT MIN(at) FROM items) AS m FROM items WHERE name = ?",
        ["t"],
      );
      expect(row).toEqual({ at, c: 1, s: at, m: at });
    });

    test("upsert with ON CONFLICT … excluded, and DO NOTHING", async () => {
      const db = await fresh();
      const upsert = "INSERT INTO pairs (a, b, v) VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET v = excluded.v";
      await db.run(upsert, ["x", "y", "1"]);
      await db.run(upsert, ["x", "y", "2"]);
      expect((await db.run("INSERT INTO pairs (a, b, v) VALUES (?, ?, ?) ON CONFLICT (a, b) DO NOTHING", ["x", "y", "3"])).changes).toBe(0);
      expect(await db.all("SELECT a, b, v FROM pairs")).toEqual([{ a: "x", b: "y", v: "2" }]);
    });

    test("a transaction commits when fn resolves and rolls back everything when it throws", async () => {
      const db = await fresh();
      await db.transaction(async (tx) => {
        await tx.run("INSERT INTO items (name, at) VALUES (?, ?)", ["kept", 1]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO items (name, at) VALUES (?, ?)", ["lost", 1]);
          await tx.run("UPDATE items SET n = 99 WHERE name = ?", ["kept"]);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await db.all("SELECT name, n FROM items ORDER BY name")).toEqual([{ name: "kept", n: 0 }]);
    });

    test("a constraint violation rejects with the database's message and leaves the row alone", async () => {
      const db = await fresh();
      await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["u", 1]);
      await expect(db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["u", 2])).rejects.toThrow(/unique/i);
      expect(await db.all("SELECT at FROM items")).toEqual([{ at: 1 }]);
    });

    test("concurrent transactions do not see or undo each other's work", async () => {
      const db = await fresh();
      await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["c", 0]);
      const one = async (i: number) =>
        db.transaction(async (tx) => {
          await tx.run("UPDATE items SET n = n + 1 WHERE name = ?", ["c"]);
          await tx.run("INSERT INTO pairs (a, b) VALUES (?, ?)", ["t", String(i)]);
          if (i % 5 === 0) throw new Error(`rolled back ${i}`);
        });
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => one(i)));
      expect(results.filter((r) => r.status === "rejected").length).toBe(4);
      expect(await db.get("SELECT n FROM items WHERE name = ?", ["c"])).toEqual({ n: 16 });
      expect(await db.get("SELECT COUNT(*) AS c FROM pairs")).toEqual({ c: 16 });
    });

    test("a statement issued while a transaction is open is not rolled back with it", async () => {
      const db = await fresh();
      let outside: Promise<unknown> | undefined;
      await expect(
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO items (name, at) VALUES (?, ?)", ["inside", 1]);
          outside = db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["outside", 2]);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error("undo inside");
        }),
      ).rejects.toThrow("undo inside");
      await outside;
      expect(await db.all("SELECT name FROM items")).toEqual([{ name: "outside" }]);
    });

    test("writes issued together: a failing statement or transaction undoes only itself; on SQLite a queued read sees what came before", async () => {
      const db = await fresh();
      await db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["taken", 0]);
      // Issued together, as concurrent requests do: on SQLite they share one commit, single statements without savepoints.
      const results = await Promise.allSettled([
        db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["a", 1]),
        db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["taken", 2]),
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO items (name, at) VALUES (?, ?)", ["in-tx", 3]);
          await tx.run("INSERT INTO items (name, at) VALUES (?, ?)", ["taken", 3]);
        }),
        db.run("UPDATE items SET n = n + 1 WHERE name = ?", ["a"]),
        db.get<{ n: number }>("SELECT COUNT(*) AS n FROM items"),
        db.run("INSERT INTO items (name, at) VALUES (?, ?)", ["b", 4]),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
      // The SQLite seam keeps program order (PostgreSQL runs them on several pooled connections, in any order).
      if (backend.name === "sqlite") expect(Number((results[4] as PromiseFulfilledResult<{ n: number } | undefined>).value?.n)).toBe(2);
      expect(await db.all("SELECT name FROM items ORDER BY name")).toEqual([{ name: "a" }, { name: "b" }, { name: "taken" }]);
      if (backend.name === "sqlite") expect(await db.get("SELECT n FROM items WHERE name = 'a'")).toEqual({ n: 1 });
    });
  });
}
