// The WAL checkpoint thread on a really full disk (issue 75, D1): a 24 MiB tmpfs holds the store, a WAL past the
// thread's threshold is written, and a file fills what is left before the thread copies it, so its checkpoint fails
// with SQLITE_FULL (ENOSPC underneath). The thread used to stop for the life of the process (SQLite's own checkpoints
// took over); now it waits for space, says so once, and copies again when space returns, on its own, at its next try
// on the injected clock. Needs root and a working `mount -t tmpfs` (the test machine has both); elsewhere the test is
// skipped, saying why.
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { openStore, type MigrationSet, type Store } from "../../../../src/platform/store/database";
import { registerStoreMetrics } from "../../../../src/platform/store/store-metrics";
import { WAL_CHECKPOINT_BYTES } from "../../../../src/platform/store/wal-checkpointer";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const dir = createTempDir("steward-full-tmpfs-");
const mnt = join(dir.path, "mnt");
mkdirSync(mnt);

/** Mounts the small file system, or says why it cannot. */
function mountSmallDisk(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (mount -t tmpfs needs it)";
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt], { encoding: "utf8" });
  return r.status === 0 ? undefined : `mount -t tmpfs failed: ${(r.stderr || r.error?.message || "").trim()}`;
}
const cannot = mountSmallDisk();
if (cannot) console.warn(`disk-full-checkpoint.test.ts skipped: ${cannot}`);

let store: Store | undefined;
afterAll(() => {
  // Closed first even when the test failed: an open store keeps the file system busy and umount would refuse.
  store?.close();
  if (!cannot) spawnSync("umount", [mnt]);
  dir.remove();
});

const blobs: MigrationSet = { module: "blobs", migrations: [{ version: 1, name: "blobs", sql: "CREATE TABLE blobs (b TEXT)" }] };

test.skipIf(cannot !== undefined)(
  "a full disk: the checkpoint thread waits for space instead of stopping, and copies again once space returns",
  async () => {
    const clock = createManualClock(Date.parse("2026-11-26T09:00:00Z"));
    const said: Array<{ level: string; msg: string }> = [];
    const line = (level: string) => (_f: Record<string, unknown>, msg: string) => void said.push({ level, msg });
    const opened = openStore(join(mnt, "data"), [blobs], { clock, log: { error: line("error"), warn: line("warn"), info: line("info") } });
    store = opened;
    const metrics = createMetricsRegistry();
    registerStoreMetrics(metrics, opened);
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(metrics.render())?.[1]);

    // About 6 MB in the WAL, past the thread's threshold; then, before the thread looks, the disk is filled but for
    // 256 KiB: the copy into the database file cannot fit.
    const insert = opened.db.prepare("INSERT INTO blobs (b) VALUES (?)");
    for (let i = 0; i < 375; i++) insert.run(`${i}:${"x".repeat(16_000)}`);
    const fs = statfsSync(mnt);
    const filler = join(mnt, "filler");
    writeFileSync(filler, Buffer.alloc(fs.bavail * fs.bsize - 256 * 1024));

    await waitFor(() => opened.walCheckpoints.waitingForSpace, { what: "the checkpoint thread waiting for space" });
    expect(opened.walCheckpoints.waitingForSpace).toMatch(/database or disk is full/);
    expect(opened.walCheckpoints.fallback).toBeUndefined();
    expect(opened.walCheckpoints.checkpoints).toBe(0);
    expect(gauge("steward_store_wal_checkpoint_waiting")).toBe(1);
    // Its next try, a second later, finds the disk still full: it waits again, without another line.
    await clock.advance(1_000);
    await Bun.sleep(300);
    expect(opened.walCheckpoints.waitingForSpace).toBeDefined();

    // Space returns: within its longest wait (a minute) the thread tries again and copies the WAL.
    rmSync(filler);
    await clock.advance(60_000);
    await waitFor(() => opened.walCheckpoints.checkpoints >= 1, { what: "a checkpoint once space returned" });
    expect(opened.walCheckpoints.waitingForSpace).toBeUndefined();
    expect(opened.walCheckpoints.fallback).toBeUndefined();
    expect(gauge("steward_store_wal_checkpoint_waiting")).toBe(0);
    // The copy is complete: the next write starts the WAL over from its beginning.
    insert.run("after");
    expect((opened.db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number }).log).toBeLessThan(WAL_CHECKPOINT_BYTES / 4096 / 2);
    expect(said.map((l) => `${l.level}: ${l.msg}`)).toEqual([
      "warn: the store's checkpoint thread waits for disk space; it tries again by itself",
      "info: the store's checkpoint thread copies the WAL again",
    ]);

    opened.close();
    store = undefined;
    const again = openStore(join(mnt, "data"), [blobs]);
    expect((again.db.prepare("SELECT COUNT(*) AS n FROM blobs").get() as { n: number }).n).toBe(376);
    again.close();
  },
  90_000,
);
