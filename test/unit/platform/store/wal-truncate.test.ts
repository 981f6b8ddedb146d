// Issue 86: a flood left the WAL file at 65.6 MB until Steward stopped (the thread copies it on and the next write starts
// it over, but the file is reused as it is). Once the writes are over and the store has been quiet a while, the thread
// cuts the file back; while writes go on it does not.
import { afterEach, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startWalCheckpointer } from "../../../../src/platform/store/wal-checkpointer";
import { waitFor } from "../../../helpers/wait-for";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir;
afterEach(() => tmp?.remove());

test("a WAL file grown by a burst of writes is cut back once the store is quiet, and the data stays", async () => {
  tmp = createTempDir();
  const file = join(tmp.path, "burst.db");
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT)");
  const c = startWalCheckpointer(file, {
    thresholdBytes: 64 * 1024,
    truncateAboveBytes: 512 * 1024,
    quietMs: 300,
    pollMs: 10,
    fallback: (r) => {
      throw new Error(r);
    },
    restart: () => false,
  });
  const walSize = () => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  // About 4 MB in one transaction: the WAL file holds it all, far past the size at which it is cut back.
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  db.exec("BEGIN");
  for (let i = 0; i < 400; i++) insert.run("x".repeat(10_000));
  db.exec("COMMIT");
  c.written();
  expect(walSize()).toBeGreaterThan(4_000_000);
  await waitFor(() => c.stats.truncates >= 1 && walSize() < 512 * 1024, { what: "the WAL file cut back" });
  expect(c.stats.fallback).toBeUndefined();
  expect((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(400);
  // The main connection writes on after the cut.
  insert.run("after");
  expect((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(401);
  c.close();
  db.close();
}, 60_000);
