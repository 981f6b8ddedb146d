// The benchmark results (bench/results.json) and their markdown table (bench/results.md, pasted into
// bench/README.md): one row per figure, with the bare-runtime baseline beside it and the ratio between the two.
import type { LoadResult } from "./bench-http-load";

export interface Figure {
  metric: string;
  unit: "ms" | "µs" | "%" | "MiB" | "req/s" | "datagrams/s" | "datagrams" | "bytes";
  steward?: number;
  baseline?: number;
  /** The figure is a lower bound: no limit was reached (">") or the load generator was the limit ("≥"). */
  stewardBound?: ">" | "≥";
  baselineBound?: ">" | "≥";
  /** Why a figure is missing, or a caveat. */
  note?: string;
}

export interface BenchResults {
  generatedAt: string;
  version: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; os: string; bun: string };
  totalSeconds: number;
  figures: Figure[];
  raw: {
    coldStartMs?: { steward: number[]; stewardFirstRun: number; baseline: number[] };
    http?: Record<string, LoadResult>;
    udp?: unknown;
    alert?: unknown;
    parse?: unknown;
    enrich?: unknown;
    /** scripts/bench-postgres.ts: KV and UDP on the cluster store. */
    postgres?: unknown;
    /** scripts/bench-kv.ts: KV sets into large namespaces and past the audit cap. */
    kv?: unknown;
    /** scripts/bench-incidents.ts: a failed run's history and incident on both stores. */
    incidents?: unknown;
    /** scripts/bench-runtimes.ts: the same Steward on Bun and on Deno. */
    runtimes?: unknown;
  };
}

function fmt(n: number | undefined, unit: Figure["unit"]): string {
  if (n === undefined || Number.isNaN(n)) return "—";
  if (unit === "MiB") return `${n.toFixed(1)} MiB`;
  if (unit === "ms") return n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n)} ms`;
  if (unit === "%") return `${n.toFixed(1)}%`;
  return `${Math.round(n).toLocaleString("en-US")} ${unit}`;
}

function ratio(f: Figure): string {
  if (f.steward === undefined || f.baseline === undefined || !f.baseline) return "—";
  // A lower bound on one side only bounds the ratio; lower bounds on both sides say nothing.
  if (f.stewardBound && f.baselineBound) return "—";
  const r = f.steward / f.baseline;
  const bound = f.stewardBound ? "≥ " : f.baselineBound ? "≤ " : "";
  return `${bound}${r < 10 ? r.toFixed(2) : r.toFixed(0)}×`;
}

const cell = (n: number | undefined, unit: Figure["unit"], bound: Figure["stewardBound"]) =>
  bound && n !== undefined ? `${bound} ${fmt(n, unit)}` : fmt(n, unit);

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    `Measured ${r.generatedAt.slice(0, 10)} on ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB RAM, ${m.os}, Bun ${m.bun}; ` +
      `Steward ${r.version}; the whole run took ${Math.round(r.totalSeconds)} s. Loopback only; load generator and target share the machine.`,
    "",
    "| Metric | Steward | Bare Bun (same runtime) | Steward ÷ bare | Notes |",
    "|---|---:|---:|---:|---|",
  ];
  for (const f of r.figures) {
    lines.push(`| ${f.metric} | ${cell(f.steward, f.unit, f.stewardBound)} | ${cell(f.baseline, f.unit, f.baselineBound)} | ${ratio(f)} | ${f.note ?? ""} |`);
  }
  return `${lines.join("\n")}\n`;
}

export const MiB = (bytes: number) => bytes / 1024 / 1024;
