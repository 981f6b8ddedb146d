// Wires service monitoring into the app: always created (so a config reload can turn it on), started with the
// other workers, and reconfigured in place when `serviceMonitor:` changes.
import type { Logger } from "pino";
import type { Reconfigurable } from "../../platform/config/reload/reloader";
import type { ConfigShape } from "../../platform/config/load";
import { serviceMonitorSchema, type ServiceMonitorConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import type { CommandRunner } from "./command-runner";
import { createServiceMonitor, type ServiceMonitor } from "./monitor";

export interface ServiceMonitorSetupDeps {
  bus: EventBus<DomainEvents>;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  run?: CommandRunner;
  platform?: string;
}

/** The section switched off, parsed when needed: a schema built at import would stay in the heap. */
const off = (): ServiceMonitorConfig => serviceMonitorSchema().parse({ enabled: false });

export function setupServiceMonitor(
  cfg: ServiceMonitorConfig | undefined,
  deps: ServiceMonitorSetupDeps,
): { monitor: ServiceMonitor; reconfigurable: Reconfigurable<ConfigShape & { serviceMonitor?: ServiceMonitorConfig }> } {
  const monitor = createServiceMonitor(cfg ?? off(), deps);
  deps.lifecycle.add(monitor.component);
  return {
    monitor,
    reconfigurable: {
      name: "serviceMonitor",
      sections: ["serviceMonitor"],
      prepare: (next) => ({ apply: () => monitor.reconfigure(next.config.serviceMonitor ?? off()) }),
    },
  };
}
