// Wires the key-value store into the app: the store component, its routes and its readiness check.
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { KvConfig } from "../config/sections/kv";
import type { Clock } from "../core/clock";
import type { Lifecycle } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { Router } from "../http/route";
import type { Store } from "../store/database";
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
