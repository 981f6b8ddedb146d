// Reads the Qlik Sense version from /v1/systeminfo on an interval, writes qlik_sense_version and raises
// qliksense.version_changed when it differs from the last version seen (kept in the store across restarts;
// the very first reading only records it).
import type { Clock } from "../../platform/core/clock";
import type { SystemInfo, SystemInfoClient } from "../../platform/qlik/system-info";
import { versionPoint } from "./influx-points";
import type { PointSink } from "./point-sink";
import { siteEvent, type SiteEvent } from "../../platform/events/site-event";
import type { MonitorState } from "./state";

const STATE_KEY = "version";

export interface VersionMonitorDeps {
  client: SystemInfoClient;
  host: string;
  clock: Clock;
  state: MonitorState;
  emit(e: SiteEvent): Promise<void>;
  sink?: PointSink;
}

export function createVersionMonitor(deps: VersionMonitorDeps) {
  let last: (SystemInfo & { at: string }) | undefined;

  async function check(): Promise<SystemInfo> {
    const now = deps.clock.now();
    const info = await deps.client.read();
    last = { ...info, at: new Date(now).toISOString() };
    const label = info.releaseLabel ? `${info.version} (${info.releaseLabel})` : info.version;
    const previous = await deps.state.get(STATE_KEY);
    if (previous !== undefined && previous !== label) {
      await deps.emit(
        siteEvent(
          "qliksense.version_changed",
          `${previous}->${label}`,
          deps.host,
          now,
          {
            title: `Qlik Sense version changed to ${label}`,
            summary: `Qlik Sense on ${deps.host} now reports version ${label}; it was ${previous}.`,
          },
          { previousVersion: previous, version: info.version, releaseLabel: info.releaseLabel ?? null, productName: info.productName ?? null },
        ),
      );
    }
    await deps.state.set(STATE_KEY, label);
    // After the alert: an InfluxDB that is down or slow fails the run but holds back no version change.
    if (deps.sink) await deps.sink.write([versionPoint(info, deps.sink.tagsFor("qlik_sense_version"), now)]);
    return info;
  }

  return { check, last: () => last };
}

export type VersionMonitor = ReturnType<typeof createVersionMonitor>;
