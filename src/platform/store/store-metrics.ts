// The store's size on disk as a Prometheus gauge (database file and its write-ahead log), so a dashboard shows
// the growth of outbox, history and key-value data before the disk fills.
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

export function registerStoreMetrics(metrics: MetricsRegistry, store: Pick<Store, "file">): void {
  metrics.gaugeFn("steward_store_size_bytes", "Size of the store on disk, by file (db, wal).", () => [
    { labels: { file: "db" }, value: sizeOf(store.file) },
    { labels: { file: "wal" }, value: sizeOf(`${store.file}-wal`) },
  ]);
}
