// The data checks on /metrics: runs by verdict, how long they take, what waits, and per app and check the
// last value and whether it fails — read from the store (so every Steward of a cluster shows the site's
// values), at most every 15 seconds.
import type { Counter, Histogram, Labels, MetricsRegistry } from "../../platform/core/metrics";
import type { CheckStore, StoredValue } from "./check-store";

export interface CheckMetrics {
  runs: Counter;
  seconds: Histogram;
  /** Reads the store again at the next scrape (a run just finished here). */
  invalidate(): void;
}

const CACHE_MS = 15_000;

export function createCheckMetrics(m: MetricsRegistry, store: CheckStore, appNames: ReadonlyMap<string, string>, waiting: () => number): CheckMetrics {
  let cached: { at: number; rows: Promise<StoredValue[]> } | undefined;
  const latest = () => {
    const now = Date.now();
    if (!cached || now - cached.at > CACHE_MS) {
      const rows = store.latest();
      cached = { at: now, rows };
      rows.catch(() => (cached = undefined));
    }
    return cached.rows;
  };
  const labels = (v: StoredValue): Labels => ({ app_id: v.appId, app: appNames.get(v.appId) ?? v.appId, check: v.check });
  m.gaugeFnAsync("steward_data_check_value", "The last value of each data check (numeric values only), by app and check.", async () =>
    (await latest())
      .filter((v) => v.value?.number !== null && v.value?.number !== undefined && Number.isFinite(v.value.number))
      .map((v) => ({ labels: labels(v), value: v.value!.number! })),
  );
  m.gaugeFnAsync(
    "steward_data_check_failing",
    "1 when the data check's last evaluation failed, 2 when it could not be evaluated, 0 when it passed.",
    async () => (await latest()).map((v) => ({ labels: labels(v), value: v.status === "passed" ? 0 : v.status === "failed" ? 1 : 2 })),
  );
  m.gaugeFn("steward_data_check_runs_waiting", "Data check runs queued or running on this Steward.", waiting);
  return {
    runs: m.counter("steward_data_check_runs_total", "Data check runs (one per reload of a checked app) by verdict: passed, failed, blocked, error."),
    seconds: m.histogram(
      "steward_data_check_run_duration_seconds",
      "Time to connect, open the app and evaluate its checks.",
      [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    ),
    invalidate: () => void (cached = undefined),
  };
}
