// The Qlik Cloud metrics on /metrics: polls by result, reloads announced, answers rejected, 429s, reachability.
import type { Counter, Gauge, MetricsRegistry } from "../core/metrics";

export interface CloudMetrics {
  polls: Counter;
  reloads: Counter;
  rejected: Counter;
  rateLimited: Counter;
  reachable: Gauge;
}

export function createCloudMetrics(m: MetricsRegistry): CloudMetrics {
  return {
    polls: m.counter(
      "steward_cloud_polls_total",
      "Polls of a Qlik Cloud tenant's reloads, by tenant and result (ok, auth, rate, server, network, bad_answer, client).",
    ),
    reloads: m.counter("steward_cloud_reloads_total", "Qlik Cloud reloads announced, by tenant and final status."),
    rejected: m.counter(
      "steward_cloud_rejected_total",
      "Answers or reloads of a Qlik Cloud tenant that Steward could not use, by tenant and reason (not_json, bad_json, shape, unknown_status, cursor_loop, too_many_pages).",
    ),
    rateLimited: m.counter("steward_cloud_rate_limited_total", "429 answers of a Qlik Cloud tenant, by tenant."),
    reachable: m.gauge("steward_cloud_reachable", "1 while the tenant's last poll got an answer Steward could use (429 included), else 0."),
  };
}
