// A small Prometheus registry: components register counters, gauges and histograms by name; /metrics renders
// them in the text exposition format. Labels are fixed per metric at registration.
import { type Timer, wallClock } from "./clock";
export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  buckets: number[];
  sum: number;
  count: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
  /** The series of `labels`, resolved once: for hot paths that count the same labels again and again. */
  series(labels: Labels): { inc(by?: number): void };
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** The series of `labels`, resolved once (see Counter.series). */
  series(labels: Labels): { observe(value: number): void };
}

export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  /** A counter whose total is read when /metrics is read (the process's CPU seconds). */
  counterFn(name: string, help: string, read: () => number): void;
  /** A gauge computed when /metrics is read (memory, uptime, queue depth). */
  gaugeFn(name: string, help: string, read: () => number | Array<{ labels: Labels; value: number }>): void;
  /**
   * A gauge read from the store (which may be a remote PostgreSQL): read by collect() before each render; a
   * read that fails or takes longer than a second leaves the value of the last scrape.
   */
  gaugeFnAsync(name: string, help: string, read: () => Promise<number | Array<{ labels: Labels; value: number }>>): void;
  histogram(name: string, help: string, buckets: number[]): Histogram;
  /** Runs the reads of the async gauges; /metrics awaits it before render(). */
  collect(): Promise<void>;
  render(): string;
}

const COLLECT_TIMEOUT_MS = 1_000;

/** Series identity: label names and values in name order (built by hand: this runs on every request). */
function key(labels: Labels): string {
  let out = "";
  let sorted = true;
  let last = "";
  // Most call sites pass their labels in name order already: then no array and no sort.
  for (const n in labels) {
    if (n < last) {
      sorted = false;
      break;
    }
    last = n;
    out += `${n}\u0000${labels[n]}\u0001`;
  }
  if (sorted) return out;
  out = "";
  for (const n of Object.keys(labels).sort()) out += `${n}\u0000${labels[n]}\u0001`;
  return out;
}

function fmtLabels(labels: Labels, extra?: [string, string]): string {
  const entries = Object.entries(labels);
  if (extra) entries.push(extra);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

export function createMetricsRegistry(): MetricsRegistry {
  const blocks = new Map<string, () => string>();

  function register(name: string, render: () => string) {
    if (blocks.has(name)) throw new Error(`metric ${name} registered twice`);
    blocks.set(name, render);
  }

  function scalar(name: string, help: string, type: "counter" | "gauge") {
    const series = new Map<string, Series>();
    register(name, () => {
      const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
      for (const s of series.values()) lines.push(`${name}${fmtLabels(s.labels)} ${s.value}`);
      return lines.join("\n");
    });
    const at = (labels: Labels) => {
      const k = key(labels);
      let s = series.get(k);
      if (!s) series.set(k, (s = { labels, value: 0 }));
      return s;
    };
    return {
      inc: (labels: Labels = {}, by = 1) => void (at(labels).value += by),
      set: (value: number, labels: Labels = {}) => void (at(labels).value = value),
      get: (labels: Labels = {}) => series.get(key(labels))?.value ?? 0,
      series(labels: Labels) {
        const s = at(labels);
        return { inc: (by = 1) => void (s.value += by) };
      },
    };
  }

  function gaugeFn(name: string, help: string, read: () => number | Array<{ labels: Labels; value: number }>, type: "gauge" | "counter" = "gauge"): void {
    register(name, () => {
      const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
      const v = read();
      if (typeof v === "number") lines.push(`${name} ${v}`);
      else for (const s of v) lines.push(`${name}${fmtLabels(s.labels)} ${s.value}`);
      return lines.join("\n");
    });
  }

  const collectors = new Map<string, () => Promise<void>>();
  return {
    counter: (name, help) => scalar(name, help, "counter"),
    gauge: (name, help) => scalar(name, help, "gauge"),
    gaugeFn: (name, help, read) => gaugeFn(name, help, read),
    counterFn: (name, help, read) => gaugeFn(name, help, read, "counter"),
    gaugeFnAsync(name, help, read) {
      let last: number | Array<{ labels: Labels; value: number }> = [];
      collectors.set(name, async () => {
        last = await read();
      });
      gaugeFn(name, help, () => last);
    },
    async collect() {
      let timer: Timer | undefined;
      const reads = Promise.allSettled([...collectors.values()].map((c) => c()));
      await Promise.race([reads, new Promise<void>((r) => (timer = wallClock.setTimeout(r, COLLECT_TIMEOUT_MS)))]);
      wallClock.clearTimeout(timer);
    },
    histogram(name, help, buckets) {
      const sorted = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, HistogramSeries>();
      register(name, () => {
        const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
        for (const s of series.values()) {
          sorted.forEach((le, i) => lines.push(`${name}_bucket${fmtLabels(s.labels, ["le", String(le)])} ${s.buckets[i]}`));
          lines.push(`${name}_bucket${fmtLabels(s.labels, ["le", "+Inf"])} ${s.count}`);
          lines.push(`${name}_sum${fmtLabels(s.labels)} ${s.sum}`);
          lines.push(`${name}_count${fmtLabels(s.labels)} ${s.count}`);
        }
        return lines.join("\n");
      });
      const at = (labels: Labels) => {
        const k = key(labels);
        let s = series.get(k);
        if (!s) series.set(k, (s = { labels, buckets: sorted.map(() => 0), sum: 0, count: 0 }));
        return s;
      };
      const add = (s: HistogramSeries, value: number) => {
        for (let i = sorted.length - 1; i >= 0 && value <= sorted[i]!; i--) s.buckets[i]! += 1;
        s.sum += value;
        s.count += 1;
      };
      return {
        observe: (value, labels = {}) => add(at(labels), value),
        series(labels) {
          const s = at(labels);
          return { observe: (value: number) => add(s, value) };
        },
      };
    },
    render: () => `${[...blocks.values()].map((r) => r()).join("\n")}\n`,
  };
}
