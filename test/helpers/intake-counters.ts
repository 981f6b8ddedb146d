// The intake's counters for tests that build a run processor from its parts.
import { registerIntakeMetrics } from "../../src/hear/intake/intake-metrics";
import { createMetricsRegistry } from "../../src/platform/core/metrics";

/** The intake's counters on a registry of their own, with every gauge of a queue that is empty. */
export function quietIntakeCounters() {
  return registerIntakeMetrics(createMetricsRegistry(), {
    queueDepth: () => 0,
    overflowDepth: () => 0,
    overflowBytes: () => 0,
    inFlight: () => 0,
    pendingDistribute: async () => 0,
    seenEntries: async () => 0,
    kernelDrops: () => undefined,
  });
}
