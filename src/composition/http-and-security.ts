// The audit log, REST access control and the HTTP app every module registers its routes on.
import { peerLookGate } from "../platform/cluster/peer-poll";
import { createAuditLog, type AuditLog } from "../platform/audit/audit-log";
import { createHttpApp, type HttpApp } from "../platform/http/app";
import { createCorsMiddleware } from "../platform/http/middleware/cors";
import { createMethodOverride } from "../platform/http/middleware/method-override";
import { z } from "zod";
import { setupSecurity, type Security } from "../platform/security";
import { LINK_PATH_PATTERN } from "../tell/ack-links";
import { SUBSCRIPTION_LINK_PATHS } from "../show/status/subscriptions/links";
import type { QrsClient } from "../platform/qlik";
import type { Wiring } from "./wiring";
import { causedByDiskFull } from "../platform/store/sql";

export function wireAuditAndHttp(w: Wiring): { audit: AuditLog; security: Security; http: HttpApp } {
  const { config, loaded, log, lifecycle, clock, metrics, readiness, shared, cluster, pg, startedAt } = w;
  const auditLog = log.child({ module: "audit" });
  const audit = createAuditLog(
    shared.sql,
    clock,
    { maxAgeMs: config.audit.maxAge, maxEntries: config.audit.maxEntries },
    {
      // A full disk is said by the store itself, once a minute; the entries wait for space meanwhile.
      onError: (err, what) => void (causedByDiskFull(err) || auditLog.error({ err: err.message }, `${what} failed`)),
    },
  );
  lifecycle.add(audit.component());

  const corsMw = createCorsMiddleware(config.control.cors);
  // Method override first: the re-dispatched request then passes CORS and access control like any other.
  // CORS after the IP gate, so an address outside security.ipAllowlist gets no preflight answer either.
  const methodOverride = createMethodOverride(() => http.hono);
  // Access control: its middleware goes into the Hono app; its start-up check runs before any other component.
  const security = setupSecurity(loaded, {
    store: shared,
    audit,
    clock,
    log,
    metrics,
    readiness,
    instance: { id: cluster.instanceId, name: cluster.instanceName },
    ...(pg ? { keyRefreshMs: pg.heartbeatIntervalMs, keyRefreshGate: peerLookGate(cluster) } : {}),
    // An alert's Acknowledge and Snooze pages, and a subscription's confirm and unsubscribe pages (the one-click POST
    // of RFC 8058 comes from the mail provider): confirmed from a mail, whatever Origin the browser sends with it.
    signedLinkPaths: [LINK_PATH_PATTERN, SUBSCRIPTION_LINK_PATHS],
    ...(w.resolve ? { resolve: w.resolve } : {}),
  });
  const http: HttpApp = createHttpApp({
    log: log.child({ module: "http" }),
    metrics,
    readiness,
    mask: (t) => loaded.secrets.mask(t),
    bodyLimitBytes: config.http.bodyLimitBytes,
    baseConvert: config.http.baseConvert,
    startedAt,
    methodOverride,
    precheck: security.precheck,
    ...(corsMw ? { cors: corsMw } : {}),
    guards: security.guards,
  });
  lifecycle.add(security.component(http.router));
  security.registerRoutes(http.router);
  return { audit, security, http };
}

const NodeRows = z.array(z.looseObject({ hostName: z.string().nullish() }));

/** The Qlik nodes keyless load-script callers may come from (security.anonymous: qlik-nodes): QRS's server nodes. */
export function bindQlikNodes(security: Security, qrs: QrsClient | undefined): void {
  if (!qrs) return;
  security.qlikNodes.listWith(async () => {
    const rows = await qrs.getJson("servernodeconfiguration", NodeRows, {}, { timeoutMs: 8_000, retries: 1 });
    return rows.flatMap((r) => (r.hostName ? [r.hostName] : []));
  });
}
