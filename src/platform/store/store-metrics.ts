// The store's size on disk as a Prometheus gauge (database file and its write-ahead log), so a dashboard shows
// the growth of outbox, history and key-value data before the disk fills; and the WAL checkpoints of the checkpoint
// thread (wal-checkpointer.ts), with whether SQLite's own had to take over.
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

export function registerStoreMetrics(metrics: MetricsRegistry, store: Pick<Store, "file" | "walCheckpoints">): void {
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
  metrics.gaugeFn(
    "steward_store_wal_checkpoint_fallback",
    "1 when the checkpoint thread could not run and SQLite checkpoints inside commits again (see the log), else 0.",
    () => (store.walCheckpoints.fallback ? 1 : 0),
  );
}
