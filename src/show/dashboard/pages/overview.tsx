/** @jsxImportSource hono/jsx */
// GET /ui: component health from /ready, counts at a glance (open incidents and those nobody acknowledged among them),
// the latest events and deliveries.
import type { ReadinessReport } from "../../../platform/core/readiness";
import { ApiProblem, Badge, Dot, Empty } from "../components";
import { Layout } from "../layout";
import { SiteText } from "../page-clock";
import { isBehind } from "../../../watch/freshness/states";
import type { PageHandler } from "../types";
import { DeliveryTable, type DeliveryView } from "./delivery-table";
import { incidentCounts } from "./incident-counts";
import { EventList } from "./event-list";
import { DeliveryHealth, OutcomeCharts, SlowestTasks } from "./run-charts";
import { OnDutyPanel } from "./on-duty-panel";
import type { OverrideRow } from "./override-form";
import type { OnCallDuty } from "../../../tell/oncall/http-route";
import { principalOf } from "../../../platform/http/request-state";
import { signedInAddress } from "../../../tell/oncall/rota-people";

interface ScheduleLite {
  lastKnownState: string;
}

export const overviewPage: PageHandler = async (c, { api, timeline, runs, inbox, siteClock }) => {
  const [ready, deliveries, schedules, namespaces, watch, fresh, incidents, oncall, overrides] = await Promise.all([
    api<ReadinessReport>(c, "/ready"),
    api<{ deliveries: DeliveryView[] }>(c, "/v4/deliveries?limit=1000"),
    api<ScheduleLite[]>(c, "/v4/schedules"),
    api<string[]>(c, "/v4/keyvaluesnamespaces"),
    api<{ enabled: boolean; open: unknown[] }>(c, "/v4/watchdog"),
    api<{ rows: Array<{ state: string }> }>(c, "/v4/freshness"),
    api<{ causes: Parameters<typeof incidentCounts>[0]; omitted?: number }>(c, "/v4/incidents/by-cause?limit=1000"),
    api<{ schedules: OnCallDuty[] }>(c, "/v4/oncall"),
    api<{ overrides: OverrideRow[] }>(c, "/v4/oncall/overrides"),
  ]);
  const principal = principalOf(c);
  const address = signedInAddress(principal);
  const viewer = { admin: principal.scopes === "all" || principal.scopes.includes("admin"), ...(address ? { address } : {}) };
  // /ready answers 503 with the same body when a required component is down.
  const report = ready.ok ? ready.data : isReport(ready.body) ? ready.body : undefined;
  const clock = siteClock();
  const now = clock.nowMs;
  // The timeline notes when each event was seen on this machine's clock.
  const hour = timeline.countsSince(Date.now() - 3_600_000);
  const byStatus: Record<string, number> = {};
  if (deliveries.ok) for (const d of deliveries.data.deliveries) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
  const enabled = schedules.ok ? schedules.data.filter((s) => s.lastKnownState === "started").length : undefined;
  const counts = incidents.ok ? incidentCounts(incidents.data.causes, incidents.data.omitted) : undefined;

  return c.html(
    <Layout title="Overview" nav={{ active: "overview", inbox: inbox() !== undefined, clock }}>
      <div class="grid">
        <section class="card" id="health">
          <h2>Health {report ? <Badge tone={report.ready ? "ok" : "fail"}>{report.ready ? "ready" : "not ready"}</Badge> : null}</h2>
          {report ? <HealthTable report={report} /> : <HealthFallback c503={!ready.ok ? ready.error : ""} />}
        </section>
        <section class="card">
          <h2>
            Last hour{" "}
            <a class="small" href="/ui/report" id="report-link">
              the report for the last 24 hours →
            </a>
          </h2>
          <div class="stats">
            <Stat n={hour["task.failed"] ?? 0} label="failed tasks" tone="fail" />
            <Stat n={hour["task.aborted"] ?? 0} label="aborted tasks" tone="warn" />
            <Stat n={hour["task.succeeded"] ?? 0} label="succeeded tasks" tone="ok" />
          </div>
          <h2 style="margin-top:16px">Now</h2>
          <div class="stats">
            {counts ? (
              <>
                <Stat n={counts.open} label="open incidents" tone="fail" href="/ui/incidents" id="open-incidents" />
                <Stat n={counts.unacknowledged} label="nobody acknowledged" tone="fail" href="/ui/incidents" id="unacknowledged-incidents" />
              </>
            ) : null}
            <Stat n={deliveries.ok ? (byStatus.dead ?? 0) : undefined} label="dead-lettered deliveries" tone="fail" href="/ui/deliveries?status=dead" />
            <Stat
              n={deliveries.ok ? (byStatus.pending ?? 0) + (byStatus.sending ?? 0) : undefined}
              label="deliveries in flight"
              tone="warn"
              href="/ui/deliveries?status=pending,sending"
            />
            <Stat n={enabled} label={schedules.ok ? `of ${schedules.data.length} schedules enabled` : "schedules"} tone="ok" href="/ui/schedules" />
            <Stat n={namespaces.ok ? namespaces.data.length : undefined} label="key-value namespaces" tone="info" href="/ui/kv" />
            {watch.ok && watch.data.enabled ? (
              <Stat n={watch.data.open.length} label="need attention (watchdog)" tone="fail" href="/ui/watchdog#needs-attention" />
            ) : null}
            {fresh.ok ? (
              <Stat
                n={fresh.data.rows.filter((r) => isBehind(r.state)).length}
                label={`of ${fresh.data.rows.length} promised apps late or at risk`}
                tone="fail"
                href="/ui/freshness"
              />
            ) : null}
          </div>
        </section>
      </div>
      {oncall.ok ? (
        <OnDutyPanel schedules={oncall.data.schedules} overrides={overrides.ok ? overrides.data.overrides : []} viewer={viewer} nowMs={now} />
      ) : null}
      {runs ? <OutcomeCharts runs={runs} now={now} zone={clock.zone} /> : null}
      <div class="grid">
        {runs ? <SlowestTasks runs={runs} now={now} /> : null}
        {deliveries.ok ? <DeliveryHealth deliveries={deliveries.data.deliveries} now={now} /> : null}
      </div>
      <div class="grid">
        <section class="card">
          <h2>
            Recent events{" "}
            <a class="small" href="/ui/events">
              all events →
            </a>
          </h2>
          <EventList entries={timeline.entries(12)} />
        </section>
        <section class="card">
          <h2>
            Recent deliveries{" "}
            <a class="small" href="/ui/deliveries">
              all deliveries →
            </a>
          </h2>
          {deliveries.ok ? (
            <DeliveryTable rows={deliveries.data.deliveries.slice(0, 10)} compact />
          ) : (
            <ApiProblem status={deliveries.status} error={deliveries.error} what="Deliveries" />
          )}
        </section>
      </div>
    </Layout>,
  );
};

function Stat(props: { n: number | undefined; label: string; tone: "ok" | "fail" | "warn" | "info"; href?: string; id?: string }) {
  const body = (
    <div class="stat" id={props.id}>
      <b style={props.n ? `color:var(--${props.tone === "info" ? "info" : props.tone})` : undefined}>{props.n ?? "—"}</b>
      <span>{props.label}</span>
    </div>
  );
  return props.href ? (
    <a href={props.href} class="statlink">
      {body}
    </a>
  ) : (
    body
  );
}

function HealthTable(props: { report: ReadinessReport }) {
  const rows = Object.entries(props.report.components).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return <Empty>No components registered.</Empty>;
  return (
    <table>
      <tbody>
        {rows.map(([name, s]) => (
          <tr data-component={name}>
            <td class="nowrap">
              <Dot tone={s.ok ? "ok" : s.required ? "fail" : "warn"} />
              <b>{name}</b>
            </td>
            <td>
              <Badge tone={s.ok ? "ok" : s.required ? "fail" : "warn"}>{s.ok ? "up" : "down"}</Badge>
              {s.required ? "" : <span class="small muted"> optional</span>}
            </td>
            <td class="small muted">{s.detail ? <SiteText text={s.detail} /> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function isReport(v: unknown): v is ReadinessReport {
  return typeof v === "object" && v !== null && "components" in v && "ready" in v;
}

function HealthFallback(props: { c503: string }) {
  return <div class="notice">Could not read /ready: {props.c503}</div>;
}
