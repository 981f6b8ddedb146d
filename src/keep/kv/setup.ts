// Wires the key-value store into the app: the store component, its routes and its readiness check.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { KvConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Router } from "../../platform/http/route";
import type { Store } from "../../platform/store/database";
import { createKvStore, type KvStore } from "./kv-store";
import { registerKvRoutes } from "./routes";

export interface KvSetupDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  metrics: MetricsRegistry;
  router: Router;
  lifecycle: Lifecycle;
}

/** Returns the store when kv.enabled, else undefined (then no /v4/keyvalues routes exist). */
export function setupKv(cfg: KvConfig, deps: KvSetupDeps): KvStore | undefined {
  if (!cfg.enabled) return undefined;
  const kv = createKvStore(cfg, { db: deps.store.sql, clock: deps.clock, log: deps.log.child({ module: "kv" }), audit: deps.audit, metrics: deps.metrics });
  registerKvRoutes(deps.router, kv);
  deps.lifecycle.add(kv);
  return kv;
}
