// Prometheus metrics of the notification pipeline: deliveries by channel and outcome, send latency, alerts sent in
// the plain form, and the outbox size by channel and status (read from the store when /metrics is scraped).
import type { MetricsRegistry } from "../../platform/core/metrics";
import { DELIVERY_STATUSES, type OutboxStore } from "./outbox-store";

export type DeliveryOutcome = "queued" | "grouped" | "suppressed" | "delivered" | "retry" | "dead";

export interface NotifyMetrics {
  outcome(channel: string, outcome: DeliveryOutcome, by?: number): void;
  sendSeconds(channel: string, seconds: number): void;
  /** A delivery went out in the plain form because `template` failed (src/tell/notify/fallback). */
  templateFallback(channel: string, template: string): void;
}

export function createNotifyMetrics(registry: MetricsRegistry, outbox: OutboxStore): NotifyMetrics {
  const total = registry.counter("steward_notify_deliveries_total", "Deliveries by channel and outcome (queued, grouped, suppressed, delivered, retry, dead).");
  const fallbacks = registry.counter(
    "steward_notify_template_fallbacks_total",
    "Alerts sent in the plain form because a template failed or made more than the channel takes, by channel and template.",
  );
  const latency = registry.histogram(
    "steward_notify_send_duration_seconds",
    "Time of successful delivery attempts by channel.",
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  // Every status of a channel that has deliveries is reported, 0 included: "nothing pending" is then a 0 on a
  // dashboard, not a missing series that looks like a broken query.
  registry.gaugeFnAsync("steward_notify_outbox_deliveries", "Deliveries in the outbox by channel and status.", async () => {
    const byChannel = new Map<string, Map<string, number>>();
    for (const c of await outbox.counts()) {
      if (!byChannel.has(c.channel)) byChannel.set(c.channel, new Map(DELIVERY_STATUSES.map((s) => [s, 0])));
      byChannel.get(c.channel)!.set(c.status, c.n);
    }
    return [...byChannel].flatMap(([channel, counts]) => [...counts].map(([status, n]) => ({ labels: { channel, status }, value: n })));
  });
  return {
    outcome: (channel, outcome, by = 1) => total.inc({ channel, outcome }, by),
    sendSeconds: (channel, seconds) => latency.observe(seconds, { channel }),
    templateFallback: (channel, template) => fallbacks.inc({ channel, template }),
  };
}
