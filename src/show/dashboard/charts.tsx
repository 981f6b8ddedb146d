/** @jsxImportSource hono/jsx */
// Server-rendered SVG charts of the dashboard: outcomes per hour/day (stacked bars), a task's runs (one bar per
// run), and horizontal bars for durations and delivery health. No script and no external assets; colours come
// from the stylesheet's variables, so the charts follow the light and dark themes. Every bar has a <title>.
import type { Child } from "hono/jsx";
import { formatDuration } from "./components";
import type { OutcomeBucket, Outcome, RunRow } from "./run-history";
import { usePageClock } from "./page-clock";
import { zonedParts } from "../../platform/core/site-clock";

const W = 640; // drawing units; the SVG scales to its card
const H = 190;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };

/** 1, 2, 5 × 10^k at or above n (at least 1). */
export function niceCeil(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

const TONE: Record<Outcome, string> = { succeeded: "ok", aborted: "warn", failed: "fail" };
const ORDER: Outcome[] = ["succeeded", "aborted", "failed"];

function YAxis(props: { max: number; format: (v: number) => string; width: number }) {
  const W = props.width;
  const plotH = H - PAD.top - PAD.bottom;
  return (
    <g class="axis">
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f);
        return (
          <g>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end">
              {props.format(props.max * f)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

export function Legend(props: { items: Array<[tone: string, label: string]> }) {
  return (
    <div class="legend">
      {props.items.map(([tone, label]) => (
        <span>
          <i class={`swatch s-${tone}`}></i>
          {label}
        </span>
      ))}
    </div>
  );
}

/** Runs per bucket, stacked by outcome. */
export function OutcomeChart(props: {
  id: string;
  buckets: OutcomeBucket[];
  label: (start: number) => string;
  every: number;
  span: (start: number) => string;
}) {
  const totals = props.buckets.map((b) => b.succeeded + b.failed + b.aborted);
  const max = niceCeil(Math.max(...totals, 0));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / props.buckets.length;
  const barW = Math.max(2, step * 0.72);
  return (
    <figure class="chart" data-chart={props.id} data-total={String(totals.reduce((a, b) => a + b, 0))}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Task runs by outcome, ${props.buckets.length} bars`}>
        <YAxis max={max} format={(v) => String(Math.round(v))} width={W} />
        {props.buckets.map((b, i) => {
          let y = PAD.top + plotH;
          const x = PAD.left + i * step + (step - barW) / 2;
          const parts = ORDER.filter((o) => b[o] > 0);
          return (
            <g class="bar" data-start={new Date(b.start).toISOString()}>
              <title>{`${props.span(b.start)}: ${b.succeeded} succeeded, ${b.failed} failed, ${b.aborted} aborted`}</title>
              <rect class="hit" x={PAD.left + i * step} y={PAD.top} width={step} height={plotH} />
              {parts.map((o) => {
                const h = (b[o] / max) * plotH;
                y -= h;
                return <rect class={`c-${TONE[o]}`} data-outcome={o} data-n={String(b[o])} x={x} y={y} width={barW} height={Math.max(h, 1)} rx="1.5" />;
              })}
              {i % props.every === 0 ? (
                <text class="xlabel" x={PAD.left + i * step + step / 2} y={H - 6} text-anchor="middle">
                  {props.label(b.start)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** One bar per run, oldest on the left: height is the duration, colour the outcome. */
export function RunChart(props: { runs: RunRow[] }) {
  // Shown across the whole page: a wider drawing keeps the text at the same size as in the overview's cards.
  const W = 1200;
  const runs = [...props.runs].reverse();
  // On the page's clock: the site's zone, as every other time on the page.
  const { zone } = usePageClock();
  const stamp = (ms: number) => {
    const p = zonedParts(ms, zone);
    return `${p.date} ${p.hms} ${p.abbr}`;
  };
  const label = (ms: number) => {
    const p = zonedParts(ms, zone);
    return `${p.date.slice(5)} ${p.hm}`;
  };
  const maxMs = niceCeil(Math.max(...runs.map((r) => r.durationMs ?? 0), 1) / 1000) * 1000;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(runs.length, 1);
  const barW = Math.max(2, Math.min(step * 0.72, 28));
  const first = runs[0];
  const last = runs[runs.length - 1];
  return (
    <figure class="chart" data-chart="task-runs" data-runs={String(runs.length)}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Duration of the last ${runs.length} runs`}>
        <YAxis max={maxMs} format={(v) => formatDuration(v) || "0"} width={W} />
        {runs.map((r, i) => {
          // A run without a known duration still shows, as a short bar, so failures are never hidden.
          const h = r.durationMs === null ? 4 : Math.max((r.durationMs / maxMs) * plotH, 2);
          return (
            <g class="bar">
              <title>{`${stamp(r.finishedAt)}: ${r.outcome}${r.durationMs === null ? "" : `, ${formatDuration(r.durationMs)}`}`}</title>
              <rect class="hit" x={PAD.left + i * step} y={PAD.top} width={step} height={plotH} />
              <rect
                class={`c-${TONE[r.outcome]}`}
                data-outcome={r.outcome}
                x={PAD.left + i * step + (step - barW) / 2}
                y={PAD.top + plotH - h}
                width={barW}
                height={h}
                rx="1.5"
              />
            </g>
          );
        })}
        {first && last ? (
          <g>
            <text class="xlabel" x={PAD.left} y={H - 6} text-anchor="start">
              {label(first.finishedAt)}
            </text>
            <text class="xlabel" x={W - PAD.right} y={H - 6} text-anchor="end">
              {label(last.finishedAt)}
            </text>
          </g>
        ) : null}
      </svg>
    </figure>
  );
}

/** A row of horizontal segments scaled to `max` (durations, delivery counts); segments carry their own tone. */
export function HBar(props: { max: number; segments: Array<{ value: number; tone: string; title: string }>; mark?: { value: number; title: string } }) {
  let x = 0;
  return (
    <svg class="hbar" viewBox="0 0 100 12" preserveAspectRatio="none" role="img" aria-label={props.segments.map((s) => s.title).join(", ")}>
      <rect class="track" x="0" y="1" width="100" height="10" rx="2" />
      {props.segments
        .filter((s) => s.value > 0)
        .map((s) => {
          const w = (s.value / Math.max(props.max, 1e-9)) * 100;
          const r = (
            <rect class={`c-${s.tone}`} x={x} y="1" width={Math.max(w, 0.8)} height="10" rx="1">
              <title>{s.title}</title>
            </rect>
          );
          x += w;
          return r;
        })}
      {props.mark ? (
        <rect class="mark" x={Math.min((props.mark.value / Math.max(props.max, 1e-9)) * 100, 99.4)} y="0" width="0.6" height="12">
          <title>{props.mark.title}</title>
        </rect>
      ) : null}
    </svg>
  );
}

export function ChartCard(props: { title: string; id?: string; note?: string; children?: Child }) {
  return (
    <section class="card" id={props.id}>
      <h2>
        {props.title} {props.note ? <span class="small muted">{props.note}</span> : null}
      </h2>
      {props.children}
    </section>
  );
}
