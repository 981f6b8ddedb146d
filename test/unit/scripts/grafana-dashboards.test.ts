// The dashboards in config/grafana/ are what scripts/grafana-dashboards.ts writes (run it after editing
// scripts/grafana/dashboards.ts), and each is importable: a data-source variable every panel and query uses.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GRAFANA_DIR, renderDashboards } from "../../../scripts/grafana-dashboards";

describe("Grafana dashboards", () => {
  for (const { file, text } of renderDashboards()) {
    test(`${file} is up to date and uses the data-source variable`, () => {
      expect(readFileSync(join(GRAFANA_DIR, file), "utf8")).toBe(text);
      const dash = JSON.parse(text) as {
        templating: { list: Array<{ type: string; name: string }> };
        panels: Array<{ datasource: { uid: string }; targets: Array<{ datasource: { uid: string } }> }>;
      };
      expect(dash.templating.list[0]).toMatchObject({ type: "datasource", name: "datasource" });
      for (const p of dash.panels) {
        expect(p.datasource.uid).toBe("${datasource}");
        for (const t of p.targets) expect(t.datasource.uid).toBe("${datasource}");
      }
    });
  }
});
