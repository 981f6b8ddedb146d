// The intake's Prometheus series: received → rejected | parsed → deduplicated | dropped | enriched → emitted.
import type { Counter, MetricsRegistry } from "../../platform/core/metrics";

export interface IntakeCounters {
  received: Counter;
  rejected: Counter;
  parsed: Counter;
  deduplicated: Counter;
  dropped: Counter;
  overflowed: Counter;
  enriched: Counter;
  emitted: Counter;
  reconciled: Counter;
  reconcileRuns: Counter;
  unconfirmed: Counter;
  distributeRefused: Counter;
}

export function registerIntakeMetrics(
  m: MetricsRegistry,
  gauges: {
    queueDepth: () => number;
    overflowDepth: () => number;
    overflowBytes: () => number;
    inFlight: () => number;
    pendingDistribute: () => Promise<number>;
    seenEntries: () => Promise<number>;
    kernelDrops: () => number | undefined;
  },
): IntakeCounters {
  m.gaugeFn("steward_intake_queue_depth", "Parsed task datagrams waiting for enrichment.", gauges.queueDepth);
  m.gaugeFn("steward_intake_overflow_depth", "Task runs waiting in the store for room in the queue (intake.overflowSize).", gauges.overflowDepth);
  m.gaugeFn(
    "steward_intake_overflow_bytes",
    "Bytes the runs waiting in the overflow weigh (intake.overflowMaxBytes, overflowMaxBytesPerSource).",
    gauges.overflowBytes,
  );
  m.gaugeFn("steward_intake_in_flight", "Task runs being enriched right now.", gauges.inFlight);
  m.gaugeFnAsync("steward_intake_distribute_pending", "Distribution runs polled in QRS until their outcome is final.", gauges.pendingDistribute);
  // A counter in meaning (it only grows while the socket lives) but read from the OS, so exposed as a gauge.
  m.gaugeFn(
    "steward_intake_kernel_drops",
    "Datagrams the OS dropped because the receive buffer was full (Linux; -1 where unknown).",
    () => gauges.kernelDrops() ?? -1,
  );
  m.gaugeFnAsync("steward_intake_dedupe_entries", "Remembered ExecutionId + outcome keys (store).", gauges.seenEntries);
  return {
    received: m.counter("steward_intake_datagrams_received_total", "UDP datagrams received."),
    rejected: m.counter("steward_intake_datagrams_rejected_total", "Datagrams refused, by reason (source_not_allowed, too_large, or a parse reason)."),
    parsed: m.counter("steward_intake_datagrams_parsed_total", "Datagrams parsed, by kind (scheduler, engine)."),
    deduplicated: m.counter("steward_intake_deduplicated_total", "Reports of a run already handled or in flight, by source."),
    dropped: m.counter(
      "steward_intake_dropped_total",
      "Parsed runs the queue did not keep, by reason (queue_full: the queue and its overflow are full of runs that rank as high; source_full: the sender's share of the overflow is full; shed: a queued success gave way to a failure; stopping) and outcome.",
    ),
    overflowed: m.counter("steward_intake_overflowed_total", "Runs that found the queue full and waited in the store for room (intake.overflowSize)."),
    enriched: m.counter("steward_intake_events_enriched_total", "Task events enriched from QRS, by completeness."),
    emitted: m.counter("steward_intake_events_emitted_total", "Task events put on the bus, by kind and source."),
    reconciled: m.counter("steward_intake_reconciled_total", "Task events found by reconciliation with QRS (no datagram announced them)."),
    reconcileRuns: m.counter("steward_intake_reconcile_runs_total", "Reconciliation passes, by result."),
    unconfirmed: m.counter(
      "steward_intake_unconfirmed_total",
      "Runs a datagram reported that QRS did not confirm, by qrs (denied, unavailable) and action (emitted, dropped, over_budget; ended: a page QRS later said did not happen was ended).",
    ),
    distributeRefused: m.counter(
      "steward_intake_distribute_refused_total",
      "Distribution announcements not polled because the pending list (full) or one source's share of it (source_full) was full.",
    ),
  };
}
