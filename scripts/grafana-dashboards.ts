// `bun scripts/grafana-dashboards.ts`: writes the Grafana dashboards (config/grafana/*.json) from
// scripts/grafana/dashboards.ts. A unit test fails when the committed files and this output differ.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DASHBOARDS } from "./grafana/dashboards";
import { buildDashboard } from "./grafana/grafana-json";

export const GRAFANA_DIR = resolve(import.meta.dir, "../config/grafana");

export function renderDashboards(): Array<{ file: string; text: string }> {
  return DASHBOARDS.map(([file, spec]) => ({ file, text: `${JSON.stringify(buildDashboard(spec), null, 2)}\n` }));
}

if (import.meta.main) {
  mkdirSync(GRAFANA_DIR, { recursive: true });
  for (const { file, text } of renderDashboards()) {
    writeFileSync(join(GRAFANA_DIR, file), text);
    console.log(`wrote config/grafana/${file}`);
  }
}
