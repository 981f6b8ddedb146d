// Wires New Relic into the app: the client for Butler's /v4/newrelic routes (registered always, answering
// 503 while newRelic.api is not configured) and its closing at stop.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { NewRelicConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Router } from "../../platform/http/route";
import { createNewRelicClient } from "./client";
import { registerNewRelicRoutes } from "./routes";

export function setupNewRelic(cfg: NewRelicConfig | undefined, deps: { audit: AuditLog; router: Router; clock: Clock; lifecycle: Lifecycle }): void {
  const client = cfg ? createNewRelicClient(cfg) : undefined;
  registerNewRelicRoutes(deps.router, { config: cfg, client, audit: deps.audit, now: () => deps.clock.now() });
  if (client) deps.lifecycle.add({ name: "newrelic", start() {}, stop: () => client.close() });
}
