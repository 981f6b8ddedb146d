// The intake's Prometheus series: received → rejected | parsed → deduplicated | dropped | enriched → emitted.
import type { Counter, Labels, MetricsRegistry } from "../../platform/core/metrics";

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

/**
 * A counter's series by a key of its labels, each resolved once: every datagram counts its kind, its enrichment and
 * its event, and building the series' identity from the labels each time was a few per cent of a datagram's main
 * thread at 1,000 a second (issue 89).
 */
export function seriesByKey<K extends string>(counter: Counter, labelsOf: (key: K) => Labels): (key: K) => { inc(by?: number): void } {
  const resolved = new Map<K, { inc(by?: number): void }>();
  return (key) => {
    let s = resolved.get(key);
    if (!s) resolved.set(key, (s = counter.series(labelsOf(key))));
    return s;
  };
}

/** The counts every run makes, their series resolved once: `enriched` by completeness, `emitted` by source and kind. */
export function runCounts(counters: { enriched: Counter; emitted: Counter }) {
  const enriched = seriesByKey(counters.enriched, (complete: "true" | "false") => ({ complete }));
  return {
    enriched: (complete: boolean) => enriched(complete ? "true" : "false").inc(),
    emitted: countBySourceAndKind(counters.emitted),
  };
}

/** A counter labelled by an event's kind and source (`emitted`), its series resolved once per source and kind. */
function countBySourceAndKind(counter: Counter): (e: { kind: string; source: string }) => void {
  const bySource = new Map<string, (kind: string) => { inc(by?: number): void }>();
  return (e) => {
    let byKind = bySource.get(e.source);
    if (!byKind) {
      const source = e.source;
      bySource.set(source, (byKind = seriesByKey(counter, (kind: string) => ({ kind, source }))));
    }
    byKind(e.kind).inc();
  };
}
