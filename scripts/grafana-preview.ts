// `bun scripts/grafana-preview.ts --dashboard config/grafana/steward.json --prometheus http://127.0.0.1:8428 --out steward.svg`
// (or `--influxdb http://127.0.0.1:8086 --db butler` for the InfluxQL dashboard; `--range 24h`): runs every panel
// query of a dashboard against your InfluxDB or Prometheus/VictoriaMetrics as Grafana would and draws the answers
// as one SVG, without Grafana. The dashboard pictures in docs/monitoring.md are made this way (from the integration test's data).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderPreview } from "./grafana/render-preview";
import { runDashboard, type Backend, type GrafanaDashboard } from "./grafana/run-queries";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dashboard: { type: "string" },
      influxdb: { type: "string" },
      db: { type: "string" },
      prometheus: { type: "string" },
      out: { type: "string" },
      range: { type: "string", default: "24h" },
    },
  });
  const range = /^(\d+)([mhd])$/.exec(values.range ?? "");
  if (!values.dashboard || !values.out || !range || (!values.prometheus && !(values.influxdb && values.db))) {
    console.error("usage: grafana-preview --dashboard <file.json> (--prometheus <url> | --influxdb <url> --db <name>) --out <file.svg> [--range 24h]");
    process.exit(2);
  }
  const dash = JSON.parse(readFileSync(values.dashboard, "utf8")) as GrafanaDashboard & { panels: Parameters<typeof renderPreview>[1] };
  const backend: Backend = values.prometheus ? { kind: "prometheus", url: values.prometheus } : { kind: "influxdb", url: values.influxdb!, db: values.db! };
  const rangeMs = Number(range[1]) * UNITS[range[2]!]!;
  const run = await runDashboard(dash, backend, { rangeMs, intervalMs: Math.max(1_000, Math.round(rangeMs / 300)) });
  for (const p of run.panels) for (const t of p.targets) if (t.error) console.error(`${p.title} ${t.refId}: ${t.error}`);
  writeFileSync(
    values.out,
    renderPreview(run, dash.panels, "Preview drawn by Steward's scripts/grafana-preview.ts from real query results — not a Grafana screenshot"),
  );
  console.log(`wrote ${values.out}`);
}

await main();
