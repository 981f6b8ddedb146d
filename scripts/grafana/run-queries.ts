// Runs every query of a Grafana dashboard file the way Grafana would send it: template variables resolved from
// their own queries, Grafana's macros ($timeFilter, $__interval, $__range, $__rate_interval) expanded, then
// InfluxQL to InfluxDB 1.x /query or PromQL to a Prometheus API (VictoriaMetrics). Used by the integration
// test (every panel must return data) and by the preview renderer.

export type Backend = { kind: "influxdb"; url: string; db: string } | { kind: "prometheus"; url: string };

export interface Frame {
  name: string;
  labels: Record<string, string>;
  columns: string[];
  /** Rows of values; a "time" column holds milliseconds since the epoch. */
  rows: unknown[][];
}

export interface TargetResult {
  refId: string;
  /** The query as written in the dashboard. */
  query: string;
  /** The query as sent. */
  sent: string;
  legend: string;
  instant: boolean;
  frames: Frame[];
  error?: string;
}

export interface PanelResult {
  id: number;
  title: string;
  type: string;
  unit: string;
  targets: TargetResult[];
}

export interface DashboardRun {
  title: string;
  variables: Record<string, string[]>;
  panels: PanelResult[];
}

export interface RunOptions {
  /** Dashboard time range (default 1 h). */
  rangeMs?: number;
  /** Grafana's $__interval (default 1 min). */
  intervalMs?: number;
  /** Variable values to use instead of "All" (Grafana formats several as a regex group). */
  select?: Record<string, string[]>;
  now?: number;
}

interface GrafanaTarget {
  refId: string;
  query?: string;
  expr?: string;
  alias?: string;
  legendFormat?: string;
  instant?: boolean;
}
interface GrafanaPanel {
  id: number;
  title: string;
  type: string;
  targets: GrafanaTarget[];
  fieldConfig?: { defaults?: { unit?: string } };
}
interface GrafanaVariable {
  type: string;
  name: string;
  definition?: string;
  query?: unknown;
  allValue?: string;
}
export interface GrafanaDashboard {
  title: string;
  templating: { list: GrafanaVariable[] };
  panels: GrafanaPanel[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Grafana's formatting of selected values: a regex group; in PromQL string literals the backslashes doubled. */
function formatVariable(values: string[] | undefined, allValue: string, kind: Backend["kind"]): string {
  if (!values || values.length === 0) return allValue;
  const escapeValue = kind === "prometheus" ? (v: string) => escapeRegex(v).replace(/\\/g, "\\\\") : escapeRegex;
  return values.length === 1 ? escapeValue(values[0]!) : `(${values.map(escapeValue).join("|")})`;
}

const secs = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

/** Grafana's macros and variables in one query. */
export function expandQuery(q: string, kind: Backend["kind"], vars: Record<string, string>, o: Required<Pick<RunOptions, "rangeMs" | "intervalMs">>): string {
  let out = q;
  if (kind === "influxdb") out = out.replaceAll("$timeFilter", `time >= now() - ${secs(o.rangeMs)}`);
  out = out
    .replaceAll("$__rate_interval", secs(Math.max(o.intervalMs, 60_000)))
    .replaceAll("$__interval", secs(o.intervalMs))
    .replaceAll("$__range", secs(o.rangeMs));
  return out.replace(/\$([A-Za-z_]\w*)/g, (whole, name: string) => (name in vars ? vars[name]! : whole));
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

type InfluxSeries = { name: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] };

export async function influxQl(b: { url: string; db: string }, q: string): Promise<Frame[]> {
  const body = (await getJson(`${b.url}/query?${new URLSearchParams({ db: b.db, q, epoch: "ms" })}`)) as { results?: Array<{ error?: string; series?: InfluxSeries[] }>; error?: string };
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  if (error) throw new Error(error);
  return (body.results ?? []).flatMap((r) => r.series ?? []).map((s) => ({ name: s.name, labels: s.tags ?? {}, columns: s.columns, rows: s.values ?? [] }));
}

type PromSample = { metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> };

export async function promQl(url: string, q: string, instant: boolean, o: { now: number; rangeMs: number; intervalMs: number }): Promise<Frame[]> {
  // Like Grafana, the range is aligned to whole steps; the end is rounded up so the newest samples are in it.
  const step = Math.max(1, Math.round(Math.max(o.intervalMs / 4, 1000) / 1000));
  const end = Math.ceil(o.now / 1000 / step) * step;
  const params = instant
    ? new URLSearchParams({ query: q, time: String(o.now / 1000) })
    : new URLSearchParams({ query: q, start: String(end - Math.round(o.rangeMs / 1000)), end: String(end), step: `${step}s` });
  const body = (await getJson(`${url}/api/v1/${instant ? "query" : "query_range"}?${params}`)) as { status: string; error?: string; data?: { result: PromSample[] } };
  if (body.status !== "success") throw new Error(body.error ?? "query failed");
  return (body.data?.result ?? []).map((s) => ({
    name: s.metric.__name__ ?? "",
    labels: s.metric,
    columns: ["time", "value"],
    rows: (s.values ?? (s.value ? [s.value] : [])).map(([t, v]) => [Math.round(t * 1000), Number(v)]),
  }));
}

async function variableValues(b: Backend, query: string, o: { now: number; rangeMs: number }): Promise<string[]> {
  if (b.kind === "influxdb") {
    const frames = await influxQl(b, query);
    const col = (f: Frame) => Math.max(0, f.columns.indexOf("value"));
    return [...new Set(frames.flatMap((f) => f.rows.map((r) => String(r[col(f)]))))].sort();
  }
  const m = /^label_values\((.*),\s*(\w+)\)$/.exec(query.trim());
  if (!m) throw new Error(`unsupported variable query: ${query}`);
  const params = new URLSearchParams({ "match[]": m[1]!, start: String((o.now - o.rangeMs) / 1000), end: String(o.now / 1000) });
  const body = (await getJson(`${b.url}/api/v1/label/${m[2]}/values?${params}`)) as { data?: string[] };
  return [...(body.data ?? [])].sort();
}

export async function runDashboard(dash: GrafanaDashboard, b: Backend, opts: RunOptions = {}): Promise<DashboardRun> {
  const o = { rangeMs: opts.rangeMs ?? 3_600_000, intervalMs: opts.intervalMs ?? 60_000, now: opts.now ?? Date.now() };
  const vars: Record<string, string> = {};
  const variables: Record<string, string[]> = {};
  for (const v of dash.templating.list) {
    if (v.type !== "query") continue;
    const q = expandQuery(String(v.definition ?? v.query), b.kind, vars, o);
    variables[v.name] = await variableValues(b, q, o);
    vars[v.name] = formatVariable(opts.select?.[v.name], v.allValue ?? ".*", b.kind);
  }
  const panels: PanelResult[] = [];
  for (const p of dash.panels) {
    const targets: TargetResult[] = [];
    for (const t of p.targets) {
      const query = b.kind === "influxdb" ? String(t.query) : String(t.expr);
      const sent = expandQuery(query, b.kind, vars, o);
      const instant = b.kind === "prometheus" && t.instant === true;
      const r: TargetResult = { refId: t.refId, query, sent, legend: (b.kind === "influxdb" ? t.alias : t.legendFormat) ?? "", instant, frames: [] };
      try {
        r.frames = b.kind === "influxdb" ? await influxQl(b, sent) : await promQl(b.url, sent, instant, o);
      } catch (err) {
        r.error = (err as Error).message;
      }
      targets.push(r);
    }
    panels.push({ id: p.id, title: p.title, type: p.type, unit: p.fieldConfig?.defaults?.unit ?? "short", targets });
  }
  return { title: dash.title, variables, panels };
}
