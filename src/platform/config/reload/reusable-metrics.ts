// A metrics registry view for components that are rebuilt on reload: registering a name a second time hands
// back the metric made the first time (counts continue) instead of failing; a gauge function is replaced.
import type { Counter, Gauge, Histogram, MetricsRegistry } from "../../core/metrics";

export function createReusableMetrics(inner: MetricsRegistry): MetricsRegistry {
  const made = new Map<string, Counter | Gauge | Histogram>();
  const reads = new Map<string, Parameters<MetricsRegistry["gaugeFn"]>[2]>();
  const asyncReads = new Map<string, Parameters<MetricsRegistry["gaugeFnAsync"]>[2]>();
  const once = <T extends Counter | Gauge | Histogram>(name: string, create: () => T): T => {
    const existing = made.get(name);
    if (existing) return existing as T;
    const m = create();
    made.set(name, m);
    return m;
  };
  return {
    counter: (name, help) => once(name, () => inner.counter(name, help)),
    gauge: (name, help) => once(name, () => inner.gauge(name, help)),
    histogram: (name, help, buckets) => once(name, () => inner.histogram(name, help, buckets)),
    gaugeFn(name, help, read) {
      const first = !reads.has(name);
      reads.set(name, read);
      if (first) inner.gaugeFn(name, help, () => reads.get(name)!());
    },
    counterFn(name, help, read) {
      const first = !reads.has(name);
      reads.set(name, read);
      if (first) inner.counterFn(name, help, () => reads.get(name)!() as number);
    },
    gaugeFnAsync(name, help, read) {
      const first = !asyncReads.has(name);
      asyncReads.set(name, read);
      if (first) inner.gaugeFnAsync(name, help, () => asyncReads.get(name)!());
    },
    collect: () => inner.collect(),
    render: () => inner.render(),
  };
}
