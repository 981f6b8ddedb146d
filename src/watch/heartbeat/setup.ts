// Wires the heartbeat and the uptime monitor into the app, with live reload of `heartbeat:` and
// `uptimeMonitor:` (and of the influxdb channel the memory point goes to).
import type { Logger } from "pino";
import type { ConfigShape, LoadedConfig as LoadedOf } from "../../platform/config/load";
import type { Reconfigurable as ReconfigurableOf } from "../../platform/config/reload/reloader";
import type { ChannelConfig } from "../../tell/notify/config";
import type { HeartbeatConfig, UptimeMonitorConfig } from "./config";

/** What the heartbeat and the uptime monitor read of the config. */
export interface HeartbeatSetupConfig extends ConfigShape {
  heartbeat?: HeartbeatConfig;
  uptimeMonitor?: UptimeMonitorConfig;
  channels: Record<string, ChannelConfig>;
}
type LoadedConfig = LoadedOf<HeartbeatSetupConfig>;
type Reconfigurable = ReconfigurableOf<HeartbeatSetupConfig>;
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import { createHeartbeat, type Heartbeat } from "./heartbeat";
import { createUptimeMonitor, type UptimeMonitor } from "./uptime";

export interface HeartbeatSetupDeps {
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  startedAt: number;
  influxConflicts?: InfluxConflictMonitor;
}

export function setupHeartbeat(
  loaded: LoadedConfig,
  deps: HeartbeatSetupDeps,
): { heartbeat: Heartbeat; uptime: UptimeMonitor; reconfigurables: Reconfigurable[] } {
  const common = {
    log: deps.log,
    clock: deps.clock,
    metrics: deps.metrics,
    baseDir: loaded.baseDir,
    startedAt: deps.startedAt,
    influxConflicts: deps.influxConflicts,
  };
  const heartbeat = createHeartbeat(loaded.config.heartbeat, common);
  const uptime = createUptimeMonitor(loaded.config, common);
  deps.lifecycle.add(heartbeat.component);
  deps.lifecycle.add(uptime.component);
  return {
    heartbeat,
    uptime,
    reconfigurables: [
      { name: "heartbeat", sections: ["heartbeat"], prepare: (next) => ({ apply: () => heartbeat.reconfigure(next.config.heartbeat) }) },
      {
        name: "uptimeMonitor",
        sections: ["uptimeMonitor", "channels"],
        // A channel change matters only when the memory point goes to an influxdb channel.
        relevant: (next, prev) =>
          JSON.stringify(next.config.uptimeMonitor) !== JSON.stringify(prev.config.uptimeMonitor) || Boolean(next.config.uptimeMonitor?.influxChannel),
        prepare: (next) => ({ apply: uptime.prepare(next.config) }),
      },
    ],
  };
}
