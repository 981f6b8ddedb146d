// steward_store_size_bytes reports the real size of the database file and its WAL, and follows growth; the checkpoint
// thread's work is counted.
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { openStore, type MigrationSet } from "../../../../src/platform/store/database";
import { registerStoreMetrics } from "../../../../src/platform/store/store-metrics";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

let tmp: TempDir;
afterEach(() => tmp?.remove());

const blobs: MigrationSet = { module: "blobs", migrations: [{ version: 1, name: "blobs", sql: "CREATE TABLE blobs (b TEXT)" }] };
const sample = (text: string, file: string) => Number(new RegExp(`^steward_store_size_bytes\\{file="${file}"\\} (\\d+)$`, "m").exec(text)?.[1]);

describe("store metrics", () => {
  test("database and WAL sizes on disk, growing with the data", () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [blobs]);
    const metrics = createMetricsRegistry();
    registerStoreMetrics(metrics, store);
    const before = metrics.render();
    expect(sample(before, "db")).toBe(statSync(store.file).size);
    const insert = store.db.prepare("INSERT INTO blobs (b) VALUES (?)");
    for (let i = 0; i < 50; i++) insert.run("x".repeat(10_000));
    const after = metrics.render();
    expect(sample(after, "db") + sample(after, "wal")).toBeGreaterThan(sample(before, "db") + sample(before, "wal") + 400_000);
    store.close();
  });

  test("the checkpoint thread's checkpoints, and no fallback", async () => {
    tmp = createTempDir();
    const store = openStore(tmp.path, [blobs]);
    const metrics = createMetricsRegistry();
    registerStoreMetrics(metrics, store);
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(metrics.render())?.[1]);
    expect(value("steward_store_wal_checkpoints_total")).toBe(0);
    const insert = store.db.prepare("INSERT INTO blobs (b) VALUES (?)");
    for (let i = 0; i < 500; i++) insert.run("x".repeat(10_000));
    await waitFor(() => value("steward_store_wal_checkpoints_total") >= 1, { what: "a checkpoint" });
    expect(value("steward_store_wal_checkpoint_fallback")).toBe(0);
    store.close();
  }, 60_000);
});
