// Builds importable Grafana dashboard JSON (schema 39) from a compact panel list: a data-source variable, query
// variables with "All", and panels laid out left to right in a 24-column grid.
export type DataSourceType = "influxdb" | "prometheus";

export interface Target {
  /** InfluxQL (raw) or PromQL. */
  query: string;
  /** Legend: InfluxQL alias ($m, $tag_x) or PromQL legendFormat ({{label}}). */
  legend?: string;
  /** Table panels read one table; PromQL table panels are instant queries. */
  format?: "time_series" | "table";
}

export interface PanelSpec {
  title: string;
  description: string;
  type: "timeseries" | "barchart-time" | "table" | "stat";
  targets: Target[];
  unit?: string;
  /** Width in grid columns (24 = full). */
  w?: number;
  h?: number;
  /** Table: sort by this column, descending. */
  sortBy?: string;
  /** Value → text and colour, e.g. service states. */
  mappings?: Array<{ value: string; text: string; color: string }>;
  stacked?: boolean;
  /** Table: drop the time column (aggregates over the whole range have no meaningful time). */
  hideTime?: boolean;
  /** Units of single columns that differ from `unit` (e.g. a run count next to durations). */
  fieldUnits?: Record<string, string>;
}

export interface VariableSpec {
  name: string;
  label: string;
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  datasource: DataSourceType;
  timeFrom: string;
  variables: VariableSpec[];
  panels: PanelSpec[];
}

const DS = (type: DataSourceType) => ({ type, uid: "${datasource}" });

function target(spec: DashboardSpec, t: Target, refId: string): Record<string, unknown> {
  if (spec.datasource === "influxdb") {
    return { refId, datasource: DS("influxdb"), rawQuery: true, query: t.query, resultFormat: t.format ?? "time_series", alias: t.legend ?? "" };
  }
  const table = t.format === "table";
  return {
    refId,
    datasource: DS("prometheus"),
    expr: t.query,
    legendFormat: t.legend ?? "__auto",
    instant: table,
    range: !table,
    format: table ? "table" : "time_series",
  };
}

function panel(spec: DashboardSpec, p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const base = {
    id,
    title: p.title,
    description: p.description,
    gridPos,
    datasource: DS(spec.datasource),
    targets: p.targets.map((t, i) => target(spec, t, String.fromCharCode(65 + i))),
  };
  const mappings = (p.mappings ?? []).map((m) => ({ type: "value", options: { [m.value]: { text: m.text, color: m.color } } }));
  const defaults = { unit: p.unit ?? "short", mappings, color: { mode: p.mappings ? "thresholds" : "palette-classic" } };
  const outcomeColours = [
    { matcher: { id: "byRegexp", options: ".*failed.*" }, properties: [{ id: "color", value: { mode: "fixed", fixedColor: "red" } }] },
    { matcher: { id: "byRegexp", options: ".*(success|succeeded|delivered).*" }, properties: [{ id: "color", value: { mode: "fixed", fixedColor: "green" } }] },
  ];
  switch (p.type) {
    case "timeseries":
    case "barchart-time":
      return {
        ...base,
        type: "timeseries",
        fieldConfig: {
          defaults: {
            ...defaults,
            custom: {
              drawStyle: p.type === "barchart-time" ? "bars" : "line",
              fillOpacity: p.type === "barchart-time" ? 80 : 10,
              lineWidth: 1,
              pointSize: 5,
              showPoints: "auto",
              spanNulls: false,
              stacking: { mode: p.stacked ? "normal" : "none", group: "A" },
            },
          },
          overrides: p.type === "barchart-time" ? outcomeColours : [],
        },
        options: { legend: { displayMode: "table", placement: "right", calcs: ["sum"], showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
      };
    case "table": {
      const overrides = Object.entries(p.fieldUnits ?? {}).map(([name, unit]) => ({
        matcher: { id: "byName", options: name },
        properties: [{ id: "unit", value: unit }],
      }));
      const organize =
        spec.datasource === "prometheus"
          ? [{ id: "organize", options: { excludeByName: { Time: true }, renameByName: { Value: p.sortBy ?? "Value" } } }]
          : p.hideTime
            ? [{ id: "organize", options: { excludeByName: { Time: true } } }]
            : [];
      return {
        ...base,
        type: "table",
        fieldConfig: {
          defaults: { ...defaults, custom: { align: "auto", cellOptions: { type: p.mappings ? "color-background" : "auto" }, inspect: true } },
          overrides,
        },
        options: { showHeader: true, cellHeight: "sm", footer: { show: false }, sortBy: p.sortBy ? [{ displayName: p.sortBy, desc: true }] : [] },
        transformations: organize,
      };
    }
    case "stat":
      return {
        ...base,
        type: "stat",
        fieldConfig: { defaults: { ...defaults, thresholds: { mode: "absolute", steps: [{ color: "blue", value: null }] } }, overrides: [] },
        options: {
          reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
          colorMode: "value",
          graphMode: "area",
          textMode: "auto",
          orientation: "auto",
          justifyMode: "auto",
        },
      };
  }
}

export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowH = 0;
  const panels = spec.panels.map((p, i) => {
    const w = p.w ?? 12;
    const h = p.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
    return panel(spec, p, i + 1, gridPos);
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: "browser",
    refresh: "1m",
    time: { from: spec.timeFrom, to: "now" },
    templating: {
      list: [
        { type: "datasource", name: "datasource", label: "Data source", query: spec.datasource, refresh: 1, hide: 0, current: {}, options: [] },
        ...spec.variables.map((v) => ({
          type: "query",
          name: v.name,
          label: v.label,
          datasource: DS(spec.datasource),
          query: spec.datasource === "prometheus" ? { query: v.query, refId: "PrometheusVariableQueryEditor-VariableQuery" } : v.query,
          definition: v.query,
          refresh: 2,
          includeAll: true,
          multi: true,
          allValue: ".*",
          current: { selected: true, text: ["All"], value: ["$__all"] },
          options: [],
          sort: 1,
          hide: 0,
        })),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
