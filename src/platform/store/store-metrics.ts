// The store's size on disk as a Prometheus gauge (database file and its write-ahead log), so a dashboard shows
// the growth of outbox, history and key-value data before the disk fills; and the WAL checkpoints of the checkpoint
// thread (wal-checkpointer.ts), with whether SQLite's own had to take over or it waits for disk space; and the writes a
// full disk refused.
import { statSync } from "node:fs";
import type { MetricsRegistry } from "../core/metrics";
import type { Store } from "./database";

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // the WAL file exists only while the database is open and written
  }
}

export function registerStoreMetrics(metrics: MetricsRegistry, store: Pick<Store, "file" | "walCheckpoints" | "writeHealth">): void {
  metrics.gaugeFn("steward_store_size_bytes", "Size of the store on disk, by file (db, wal).", () => [
    { labels: { file: "db" }, value: sizeOf(store.file) },
    { labels: { file: "wal" }, value: sizeOf(`${store.file}-wal`) },
  ]);
  metrics.counterFn(
    "steward_store_wal_checkpoints_total",
    "WAL checkpoints run by the checkpoint thread (off the event loop).",
    () => store.walCheckpoints.checkpoints,
  );
  metrics.counterFn(
    "steward_store_wal_restarts_total",
    "WAL restarts by the main connection, when writes never paused long enough for the next write to start it over.",
    () => store.walCheckpoints.restarts,
  );
  metrics.counterFn(
    "steward_store_wal_truncates_total",
    "WAL files cut back by the checkpoint thread once the store was quiet after a burst of writes left the file past 8 MiB.",
    () => store.walCheckpoints.truncates,
  );
  metrics.gaugeFn(
    "steward_store_wal_checkpoint_fallback",
    "1 when the checkpoint thread could not run and SQLite checkpoints inside commits again (see the log), else 0.",
    () => (store.walCheckpoints.fallback ? 1 : 0),
  );
  metrics.gaugeFn(
    "steward_store_wal_checkpoint_waiting",
    "1 while the checkpoint thread waits for disk space (it tries again by itself, at least once a minute), else 0.",
    () => (store.walCheckpoints.waitingForSpace ? 1 : 0),
  );
  metrics.counterFn(
    "steward_store_disk_full_writes_total",
    "Writes the store refused because the disk holding it was full (SQLITE_FULL / ENOSPC); /ready says so while it lasts.",
    () => store.writeHealth.diskFullWrites,
  );
}
