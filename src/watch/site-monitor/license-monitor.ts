// Reads license usage and the server license from QRS on an interval, writes Butler's measurements and raises
// license.expiring / license.expired / license.low_availability once when a threshold is crossed (the crossing
// is remembered in the store, so a restart does not repeat it; recovering re-arms the alert).
import type { Logger } from "pino";
import type { LicenseMonitorConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { readAccessTypeOverview, readServerLicense, type AccessTypeOverview, type ServerLicense } from "../../platform/qlik/qrs-license";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { accessTypePoints, serverLicensePoint } from "./influx-points";
import type { PointSink } from "./point-sink";
import { siteEvent, type SiteEvent } from "../../platform/events/site-event";
import type { MonitorState } from "./state";

export interface LicenseSnapshot {
  at: string;
  server: ServerLicense;
  access: AccessTypeOverview;
}

export interface LicenseMonitorDeps {
  qrs: QrsClient;
  host: string;
  clock: Clock;
  log: Logger;
  state: MonitorState;
  emit(e: SiteEvent): Promise<void>;
  sink?: PointSink;
}

type Low = { key: string; label: string; available: number; below: number };

function lowAvailability(cfg: LicenseMonitorConfig, a: AccessTypeOverview): Low[] {
  const out: Low[] = [];
  const al = cfg.alerts;
  if (al.professionalAvailableBelow !== undefined && a.professionalAccess.enabled)
    out.push({ key: "professional", label: "professional allocations", available: a.professionalAccess.available, below: al.professionalAvailableBelow });
  if (al.analyzerAvailableBelow !== undefined && a.analyzerAccess.enabled)
    out.push({ key: "analyzer", label: "analyzer allocations", available: a.analyzerAccess.available, below: al.analyzerAvailableBelow });
  if (al.tokensAvailableBelow !== undefined && a.totalTokens > 0)
    out.push({ key: "tokens", label: "tokens", available: a.availableTokens, below: al.tokensAvailableBelow });
  return out;
}

export function createLicenseMonitor(cfg: LicenseMonitorConfig, deps: LicenseMonitorDeps) {
  let last: LicenseSnapshot | undefined;

  /** Raises `e` unless the state says it was raised already; marks it once the bus has it. */
  async function once(stateKey: string, e: SiteEvent): Promise<void> {
    if ((await deps.state.get(stateKey)) !== undefined) return;
    await deps.emit(e);
    await deps.state.set(stateKey, e.id);
  }

  async function check(): Promise<LicenseSnapshot> {
    const now = deps.clock.now();
    const [server, access] = await Promise.all([readServerLicense(deps.qrs, now), readAccessTypeOverview(deps.qrs)]);
    const snap: LicenseSnapshot = { at: new Date(now).toISOString(), server, access };
    last = snap;
    await raiseAlerts(server, access, now);
    // The measurements after the alerts: an InfluxDB that is down or slow fails the run (logged, counted) but holds
    // back no alert (before, a write that failed or waited raised none until the next run).
    if (deps.sink)
      await deps.sink.write([
        serverLicensePoint(server, deps.sink.tagsFor("qlik_sense_server_license"), now),
        ...accessTypePoints(access, deps.sink.tagsFor("qlik_sense_license"), now),
      ]);
    return snap;
  }

  async function raiseAlerts(server: ServerLicense, access: AccessTypeOverview, now: number): Promise<void> {
    const days = server.daysUntilExpiry;
    const data = { expiryDate: server.expiryDate ?? null, daysUntilExpiry: days ?? null, licenseExpired: server.expired };
    if (server.expired) {
      await once(
        `expired:${server.expiryDate ?? "unknown"}`,
        siteEvent(
          "license.expired",
          server.expiryDate ?? "unknown",
          deps.host,
          now,
          {
            title: "Qlik Sense license expired",
            summary: `The Qlik Sense server license${server.expiryDate ? ` expired on ${server.expiryDate}` : " is expired"}.`,
          },
          data,
        ),
      );
    } else if (days !== undefined && days <= cfg.alerts.expiryDays) {
      await once(
        `expiring:${server.expiryDate}`,
        siteEvent(
          "license.expiring",
          `${server.expiryDate}`,
          deps.host,
          now,
          {
            title: `Qlik Sense license expires in ${days} day${days === 1 ? "" : "s"}`,
            summary: `The Qlik Sense server license is valid to ${server.expiryDate}: ${days} day${days === 1 ? "" : "s"} left (alert at ${cfg.alerts.expiryDays}).`,
          },
          { ...data, thresholdDays: cfg.alerts.expiryDays },
        ),
      );
    }

    for (const low of lowAvailability(cfg, access)) {
      const stateKey = `low:${low.key}`;
      if (low.available >= low.below) {
        await deps.state.delete(stateKey); // recovered: the next drop alerts again
        continue;
      }
      await once(
        stateKey,
        siteEvent(
          "license.low_availability",
          `${low.key}:${now}`,
          deps.host,
          now,
          {
            title: `Few Qlik Sense ${low.label} left: ${low.available}`,
            summary: `${low.available} ${low.label} available, below the threshold of ${low.below}.`,
          },
          { accessType: low.key, available: low.available, threshold: low.below },
        ),
      );
    }
  }

  return { check, last: () => last };
}

export type LicenseMonitor = ReturnType<typeof createLicenseMonitor>;
