// Renders a dashboard run (real query results) as one SVG picture laid out like the Grafana grid: time series as
// lines or bars, stats as numbers, tables as their first rows. A preview for docs/monitoring.md and for admins without
// Grafana at hand; it is labelled as Steward's rendering, not a Grafana screenshot.
import type { DashboardRun, Frame, PanelResult } from "./run-queries";

interface GridPanel {
  id: number;
  transformations?: Array<{ id: string; options?: { excludeByName?: Record<string, boolean>; renameByName?: Record<string, string> } }>;
  gridPos: { x: number; y: number; w: number; h: number };
  type: string;
  options?: { legend?: unknown };
  fieldConfig?: { defaults?: { custom?: { drawStyle?: string } }; overrides?: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: unknown }> }> };
}

const COL = 50; // px per grid column (24 → 1200)
const ROW = 30; // px per grid row
const GAP = 6;
const PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a", "#37872d", "#1f60c4"];
const BG = "#111217";
const PANEL = "#181b1f";
const INK = "#ccccdc";
const MUTED = "#8e8e9e";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return "";
  if (unit === "bytes") return v >= 1048576 ? `${(v / 1048576).toFixed(1)} MiB` : v >= 1024 ? `${(v / 1024).toFixed(1)} KiB` : `${Math.round(v)} B`;
  if (unit === "s") return v >= 60 ? `${(v / 60).toFixed(1)} min` : `${v.toFixed(v < 10 ? 2 : 0)} s`;
  if (unit === "none") return String(Math.round(v));
  if (unit === "dateTimeAsIso") return new Date(v).toISOString().slice(0, 19).replace("T", " ");
  if (unit === "reqps") return `${v.toFixed(2)}/s`;
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2);
}

function legendOf(template: string, f: Frame): string {
  const fromTemplate = template
    .replace(/\$tag_(\w+)/g, (_m, k: string) => f.labels[k] ?? "")
    .replace(/\$m\b/g, f.name)
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => f.labels[k] ?? "");
  if (template && template !== "__auto") return fromTemplate.trim();
  const labels = Object.entries(f.labels).filter(([k]) => k !== "__name__" && k !== "job");
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(", ") : f.name || "value";
}

interface Series {
  name: string;
  points: Array<[number, number]>;
}

function seriesOf(p: PanelResult): Series[] {
  return p.targets.flatMap((t) =>
    t.frames.map((f) => {
      const ti = f.columns.indexOf("time");
      const vi = f.columns.findIndex((_c, i) => i !== ti);
      return { name: legendOf(t.legend, f), points: f.rows.map((r) => [Number(r[ti]), Number(r[vi])] as [number, number]).filter(([, v]) => Number.isFinite(v)) };
    }),
  );
}

function timeSeries(p: PanelResult, x: number, y: number, w: number, h: number, bars: boolean): string {
  const series = seriesOf(p).filter((s) => s.points.length > 0);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return text(x + w / 2, y + h / 2, "No data", MUTED, 12, "middle");
  const t0 = Math.min(...all.map(([t]) => t));
  const t1 = Math.max(...all.map(([t]) => t), t0 + 1);
  const vmin = Math.min(0, ...all.map(([, v]) => v));
  const vmax = Math.max(...all.map(([, v]) => v), vmin + 1);
  const legendW = Math.min(220, w * 0.35);
  const px = x + 44;
  const pw = w - 44 - legendW - 8;
  const py = y + 4;
  const ph = h - 22;
  const X = (t: number) => px + ((t - t0) / (t1 - t0)) * pw;
  const Y = (v: number) => py + ph - ((v - vmin) / (vmax - vmin)) * ph;
  let out = "";
  for (const f of [0, 0.5, 1]) {
    const v = vmin + (vmax - vmin) * f;
    out += `<line x1="${px}" x2="${px + pw}" y1="${Y(v)}" y2="${Y(v)}" stroke="#2c3235"/>`;
    out += text(px - 4, Y(v) + 4, fmt(v, p.unit), MUTED, 10, "end");
  }
  const clock = (t: number) => new Date(t).toISOString().slice(11, t1 - t0 < 600_000 ? 19 : 16);
  out += text(px, y + h - 4, clock(t0), MUTED, 10, "start");
  out += text(px + pw, y + h - 4, clock(t1), MUTED, 10, "end");
  series.slice(0, 10).forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    if (bars) {
      const bw = Math.max(2, Math.min(12, pw / Math.max(all.length, 1)));
      for (const [t, v] of s.points) out += `<rect x="${X(t) - bw / 2 + i}" y="${Y(v)}" width="${bw}" height="${Math.max(Y(vmin) - Y(v), 1)}" fill="${colour}" opacity="0.85"/>`;
    } else {
      out += `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${s.points.map(([t, v]) => `${X(t).toFixed(1)},${Y(v).toFixed(1)}`).join(" ")}"/>`;
      if (s.points.length < 3) for (const [t, v] of s.points) out += `<circle cx="${X(t)}" cy="${Y(v)}" r="2.5" fill="${colour}"/>`;
    }
    const ly = y + 12 + i * 15;
    if (ly < y + h - 4) {
      out += `<rect x="${x + w - legendW}" y="${ly - 8}" width="10" height="3" fill="${colour}"/>`;
      out += text(x + w - legendW + 14, ly - 2, cut(s.name, Math.floor(legendW / 6.2)), INK, 10, "start");
    }
  });
  return out;
}

function stat(p: PanelResult, x: number, y: number, w: number, h: number): string {
  const series = seriesOf(p);
  const values = series.map((s) => s.points[s.points.length - 1]?.[1]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return text(x + w / 2, y + h / 2, "No data", MUTED, 12, "middle");
  if (values.length === 1) return text(x + w / 2, y + h / 2 + 12, fmt(values[0]!, p.unit), "#73bf69", 34, "middle", 600);
  const each = w / Math.min(values.length, 5);
  return series
    .slice(0, 5)
    .map((s, i) => text(x + each * i + each / 2, y + h / 2 + 6, fmt(s.points[s.points.length - 1]?.[1] ?? NaN, p.unit), PALETTE[i]!, 22, "middle", 600) + text(x + each * i + each / 2, y + h / 2 + 24, cut(s.name, Math.floor(each / 6)), MUTED, 10, "middle"))
    .join("");
}

function table(p: PanelResult, g: GridPanel, x: number, y: number, w: number, h: number): string {
  // One table: label columns first, then the frame's columns (time shown as a date), rows from every frame.
  const frames = p.targets.flatMap((t) => t.frames);
  if (frames.every((f) => f.rows.length === 0)) return text(x + w / 2, y + h / 2, "No data", MUTED, 12, "middle");
  const labelKeys = [...new Set(frames.flatMap((f) => Object.keys(f.labels)))].filter((k) => k !== "__name__" && k !== "job" && k !== "instance");
  const hidden = g.transformations?.some((t) => t.id === "organize" && t.options?.excludeByName?.Time);
  const valueCols = [...new Set(frames.flatMap((f) => f.columns))].filter((c) => c !== "time" || !hidden);
  const unitOf = (col: string) => String(g.fieldConfig?.overrides?.find((o) => o.matcher.options === col)?.properties.find((q) => q.id === "unit")?.value ?? p.unit);
  const cols = [...labelKeys, ...valueCols];
  const rows = frames.flatMap((f) => f.rows.map((r) => cols.map((c) => (c in f.labels ? f.labels[c]! : r[f.columns.indexOf(c)]))));
  const colW = w / cols.length;
  const chars = Math.max(6, Math.floor(colW / 6.3));
  const renamed = g.transformations?.find((t) => t.id === "organize")?.options?.renameByName ?? {};
  const header = (c: string) => (c === "value" ? (renamed.Value ?? c) : c);
  let out = cols.map((c, i) => text(x + i * colW + 4, y + 10, cut(header(c), chars), "#6e9fff", 10, "start", 600)).join("");
  const maxRows = Math.floor((h - 18) / 16);
  rows.slice(0, maxRows).forEach((r, ri) => {
    const ry = y + 28 + ri * 16;
    out += `<line x1="${x}" x2="${x + w}" y1="${ry - 12}" y2="${ry - 12}" stroke="#2c3235"/>`;
    r.forEach((v, ci) => {
      const col = cols[ci]!;
      const shown = v === null || v === undefined ? "" : col === "time" ? new Date(Number(v)).toISOString().slice(0, 19).replace("T", " ") : typeof v === "number" ? fmt(v, unitOf(col)) : String(v).replace(/\s+/g, " ");
      out += text(x + ci * colW + 4, ry, cut(shown, chars), INK, 10, "start");
    });
  });
  return out;
}

function text(x: number, y: number, s: string, fill: string, size: number, anchor: "start" | "middle" | "end", weight = 400): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" fill="${fill}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}">${esc(s)}</text>`;
}

export function renderPreview(run: DashboardRun, layout: GridPanel[], caption: string): string {
  const width = 24 * COL;
  const bottom = Math.max(...layout.map((p) => p.gridPos.y + p.gridPos.h));
  const height = bottom * ROW + 56;
  let body = text(12, 22, run.title, INK, 16, "start", 600) + text(width - 12, 22, caption, MUTED, 11, "end");
  for (const p of run.panels) {
    const g = layout.find((l) => l.id === p.id);
    if (!g) continue;
    const x = g.gridPos.x * COL + GAP;
    const y = g.gridPos.y * ROW + 36 + GAP;
    const w = g.gridPos.w * COL - 2 * GAP;
    const h = g.gridPos.h * ROW - 2 * GAP;
    body += `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="${PANEL}" stroke="#24292e"/>`;
    body += text(x + 8, y + 17, p.title, INK, 12, "start", 600);
    const ix = x + 8;
    const iy = y + 26;
    const iw = w - 16;
    const ih = h - 32;
    const bars = g.fieldConfig?.defaults?.custom?.drawStyle === "bars";
    body += p.type === "stat" ? stat(p, ix, iy, iw, ih) : p.type === "table" ? table(p, g, ix, iy, iw, ih) : timeSeries(p, ix, iy, iw, ih, bars);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, Helvetica, Arial, sans-serif"><rect width="100%" height="100%" fill="${BG}"/>${body}</svg>\n`;
}
