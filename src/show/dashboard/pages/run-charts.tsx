/** @jsxImportSource hono/jsx */
// The overview's pictures: task outcomes over 24 hours and 7 days, the slowest tasks of the week, and delivery
// health per channel over the last 24 hours.
import { ChartCard, HBar, Legend, OutcomeChart } from "../charts";
import { Empty, formatDuration } from "../components";
import type { RunHistory } from "../run-history";
import type { DeliveryView } from "./delivery-table";
import { localDayBuckets, localHourBuckets } from "../local-buckets";
import { zonedParts } from "../../../platform/core/site-clock";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OUTCOME_LEGEND: Array<[string, string]> = [
  ["ok", "succeeded"],
  ["warn", "aborted"],
  ["fail", "failed"],
];

/** Per hour and per day of the site's clock (the zone the header names). */
export function OutcomeCharts(props: { runs: RunHistory; now: number; zone: string }) {
  const { zone } = props;
  const hhmm = (ms: number) => zonedParts(ms, zone).hm;
  const mmdd = (ms: number) => zonedParts(ms, zone).date.slice(5);
  const hours = localHourBuckets(props.runs, props.now, zone, 24);
  const days = localDayBuckets(props.runs, props.now, zone, 7);
  const empty = days.every((d) => d.succeeded + d.failed + d.aborted === 0);
  return (
    <div class="grid">
      <ChartCard title="Task runs, last 24 hours" note={`per hour, ${zone}`} id="outcomes-24h">
        {empty ? (
          <Empty>No task runs in the last 7 days.</Empty>
        ) : (
          <OutcomeChart
            id="outcomes-24h"
            buckets={hours}
            every={3}
            label={hhmm}
            span={(s) => `${mmdd(s)} ${hhmm(s)}–${hhmm(s + HOUR)} ${zonedParts(s, zone).abbr}`}
          />
        )}
        <Legend items={OUTCOME_LEGEND} />
      </ChartCard>
      <ChartCard title="Task runs, last 7 days" note={`per day, ${zone}`} id="outcomes-7d">
        {empty ? (
          <Empty>No task runs in the last 7 days.</Empty>
        ) : (
          <OutcomeChart id="outcomes-7d" buckets={days} every={1} label={mmdd} span={(s) => `${zonedParts(s, zone).date} (${zone})`} />
        )}
        <Legend items={OUTCOME_LEGEND} />
      </ChartCard>
    </div>
  );
}

export function SlowestTasks(props: { runs: RunHistory; now: number }) {
  const rows = props.runs.slowest(props.now - 7 * DAY, 8);
  const max = Math.max(...rows.map((r) => r.maxMs), 1);
  return (
    <ChartCard title="Slowest tasks, last 7 days" note="longest run; the line marks the average" id="slowest">
      {rows.length === 0 ? (
        <Empty>No run durations yet.</Empty>
      ) : (
        <table class="chart-table" data-chart="slowest">
          <tbody>
            {rows.map((r) => (
              <tr data-task={r.taskId}>
                <td class="label">
                  <a href={`/ui/tasks/${encodeURIComponent(r.taskId)}`}>{r.taskName}</a>
                  <div class="small muted">{`${r.runs} run${r.runs === 1 ? "" : "s"}`}</div>
                </td>
                <td class="barcell">
                  <HBar
                    max={max}
                    segments={[{ value: r.maxMs, tone: "info", title: `longest ${formatDuration(r.maxMs)}` }]}
                    mark={{ value: r.avgMs, title: `average ${formatDuration(r.avgMs)}` }}
                  />
                </td>
                <td class="nowrap right small">
                  <b>{formatDuration(r.maxMs)}</b>
                  <div class="muted">avg {formatDuration(r.avgMs)}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </ChartCard>
  );
}

const DELIVERY_TONES: Array<[tone: string, label: string, statuses: string[]]> = [
  ["ok", "delivered", ["delivered"]],
  ["warn", "waiting", ["pending", "sending", "grouping"]],
  ["fail", "dead", ["dead"]],
  ["idle", "suppressed or grouped", ["suppressed", "grouped"]],
];

export function DeliveryHealth(props: { deliveries: DeliveryView[]; now: number }) {
  const since = props.now - DAY;
  const byChannel = new Map<string, Record<string, number>>();
  for (const d of props.deliveries) {
    if (!d.createdAt || Date.parse(d.createdAt) < since) continue;
    const c = byChannel.get(d.channel) ?? {};
    c[d.status] = (c[d.status] ?? 0) + 1;
    byChannel.set(d.channel, c);
  }
  const rows = [...byChannel].sort(([a], [b]) => a.localeCompare(b));
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const max = Math.max(...rows.map(([, c]) => total(c)), 1);
  return (
    <ChartCard title="Delivery health, last 24 hours" note="per channel" id="delivery-health">
      {rows.length === 0 ? (
        <Empty>No deliveries in the last 24 hours.</Empty>
      ) : (
        <table class="chart-table" data-chart="delivery-health">
          <tbody>
            {rows.map(([channel, c]) => {
              const segments = DELIVERY_TONES.map(([tone, label, statuses]) => {
                const value = statuses.reduce((n, s) => n + (c[s] ?? 0), 0);
                return { value, tone, title: `${value} ${label}` };
              });
              return (
                <tr data-channel={channel}>
                  <td class="label">
                    <b>{channel}</b>
                  </td>
                  <td class="barcell">
                    <HBar max={max} segments={segments} />
                  </td>
                  <td class="nowrap right small">
                    {segments
                      .filter((s) => s.value > 0)
                      .map((s) => (
                        <span class={`badge s-${s.tone}`} style="margin-left:4px">
                          {s.title}
                        </span>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Legend items={DELIVERY_TONES.map(([tone, label]) => [tone, label])} />
    </ChartCard>
  );
}
