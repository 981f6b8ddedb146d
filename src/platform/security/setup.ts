// Wires access control into the app: the service and store keys, the HTTP middleware (created before the
// Hono app, which takes them), the admin routes, the start-up check, and the listener (plain, HTTPS, or
// mutual TLS).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Context, Hono } from "hono";
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { ConfigShape, LoadedConfig } from "../config/load";
import type { CorsConfig, HttpConfig } from "../http/config";
import type { SecurityConfig } from "./config";
import type { Clock } from "../core/clock";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { Readiness } from "../core/readiness";
import type { RouteGuard, Router } from "../http/route";
import { createHttpServer, type HttpServer } from "../http/server";
import type { HttpEnv } from "../http/types";
import type { Store } from "../store/database";
import { createBrowserGuard, createHostJudge } from "./browser-guard";
import { createQlikNodes, type QlikNodes } from "./qlik-nodes";
import { describeGrant } from "./anonymous";
import { createDenialAudit } from "./denial-audit";
import { createKeyStore } from "./key-store";
import { createAccessMiddleware } from "./middleware";
import { createMtlsServer } from "./mtls-server";
import { isLowFileLimit } from "../core/file-limit";
import { registerSecurityRoutes } from "./routes";
import { isLoopbackHost } from "./policy";
import { createSecurityService, type SecurityService } from "./service";
import { setupSso, type Sso } from "./sso";

export interface SecuritySetupDeps {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  /** In a cluster: how often run-time API keys are read again (keys created or revoked through another Steward). */
  keyRefreshMs?: number;
  /**
   * In a cluster: asked before a timed read of the keys; false skips it (alone in the cluster and nobody joined since
   * the last read: src/platform/cluster/peer-poll.ts). Never asked while this Steward renews its record of depending
   * on the stored keys (that read renews it). `missed()` after a failed read.
   */
  keyRefreshGate?: (() => boolean) & { missed(): void };
  /** This Steward's instance id and name (the cluster's): how the store records that it depends on the stored keys. */
  instance?: { id: string; name: string };
  /** Where a REST API that refuses every caller (its last key gone) is shown as not ready. */
  readiness?: Readiness;
  /** Paths of pages whose URL carries a signed credential (alert links): the browser guard leaves them be. */
  signedLinkPaths?: readonly RegExp[];
  /** How the Qlik nodes' host names are resolved; the system's resolver when left out. */
  resolve?: (name: string) => Promise<string[]>;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  ca?: string;
  passphrase?: string;
  mutual: boolean;
  requireClientCert: boolean;
}

export interface Security {
  service: SecurityService;
  /** The Qlik nodes' addresses (security.anonymous.from: [qlik-nodes]); the composition hands it QRS's node list. */
  qlikNodes: QlikNodes;
  /** Single sign-on with the company directory, when security.sso is set (with http.publicUrl). */
  sso?: Sso;
  /** For createHttpApp: run before routing (IP allowlist and rate limit, then the browser guard); a refusal or undefined. */
  precheck: (c: Context<HttpEnv>) => Response | undefined;
  /** For createHttpApp: run once the route's scope is known. */
  guards: RouteGuard[];
  tls?: TlsMaterial;
  registerRoutes(router: Router): void;
  component(router: Router): Component;
  createServer(hono: Hono<HttpEnv>, options: { host: string; port: number; maxRequestBodySize: number }, log: Logger): HttpServer;
}

function readPem(baseDir: string, file: string, key: string): string {
  const path = resolve(baseDir, file);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new AppError("CONFIG_INVALID", `security.tls.${key}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the certificate files of `security.tls` (relative to the config file's folder). */
export function loadTlsMaterial(cfg: SecurityConfig, baseDir: string): TlsMaterial | undefined {
  const t = cfg.tls;
  if (!t) return undefined;
  return {
    cert: readPem(baseDir, t.certFile, "certFile"),
    key: readPem(baseDir, t.keyFile, "keyFile"),
    ...(t.caFile ? { ca: readPem(baseDir, t.caFile, "caFile") } : {}),
    ...(t.passphrase ? { passphrase: t.passphrase } : {}),
    mutual: cfg.clientCerts.length > 0 || t.requireClientCert,
    requireClientCert: t.requireClientCert,
  };
}

/** What security reads of the config (CORS is set under control.cors, where Butler users look for it). */
export interface SecuritySetupConfig extends ConfigShape {
  security: SecurityConfig;
  http: HttpConfig;
  qlik?: { host: string };
  control: { cors: CorsConfig };
}

export function setupSecurity(loaded: LoadedConfig<SecuritySetupConfig>, deps: SecuritySetupDeps): Security {
  const cfg = loaded.config.security;
  const log = deps.log.child({ module: "security" });
  const keyStore = createKeyStore(deps.store.sql, deps.clock);
  const http = loaded.config.http;
  const service = createSecurityService(cfg, {
    keyStore,
    audit: deps.audit,
    clock: deps.clock,
    log,
    ...(http.enabled ? { listenHost: http.host } : {}),
    ...(deps.keyRefreshMs ? { keyRefreshMs: deps.keyRefreshMs } : {}),
    ...(deps.keyRefreshGate ? { keyRefreshGate: deps.keyRefreshGate } : {}),
    ...(deps.instance ? { instance: deps.instance } : {}),
  });
  // Only a listener beyond loopback can be locked (listen-rule.ts): then /ready says why, and is not ready.
  if (http.enabled && !isLoopbackHost(http.host)) {
    deps.readiness?.register({
      name: "access",
      required: true,
      check: () => {
        const p = service.policy();
        if (p.lockedOut) return { ok: false, detail: p.lockedOut };
        return {
          ok: true,
          detail: `${p.ring.size} API keys, ${p.certRules.length} client-certificate rules${p.authConfigured ? "" : ", open (allowUnauthenticated)"}`,
        };
      },
    });
  }
  const denialAudit = createDenialAudit(deps.audit, deps.clock);
  // The config requires http.publicUrl with security.sso (sso-config.ts): the directory sends people back there.
  const sso = cfg.sso && http.publicUrl ? setupSso(cfg.sso, http.publicUrl, { db: deps.store.sql, clock: deps.clock, audit: deps.audit, log }) : undefined;
  const qlikNodes = createQlikNodes(loaded.config.qlik?.host, { clock: deps.clock, log, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  const { ipGate, accessGuard, deny } = createAccessMiddleware({
    policy: service.policy,
    audit: deps.audit,
    log,
    metrics: deps.metrics,
    onKeyUse: service.noteKeyUse,
    denialAudit,
    qlikNodes,
    hostJudge: createHostJudge(http.host),
    ...(sso ? { sso } : {}),
  });
  const tls = loadTlsMaterial(cfg, loaded.baseDir);
  // After the IP gate (an unlisted address is refused before anything else is looked at).
  const browserGuard = createBrowserGuard({
    policy: service.policy,
    cors: loaded.config.control.cors,
    listenHost: http.host,
    deny: (c, reason, check) => deny(c, 403, reason, { check }),
    ...(deps.signedLinkPaths ? { signedLinkPaths: deps.signedLinkPaths } : {}),
    ...(http.publicUrl ? { publicUrl: http.publicUrl } : {}),
  });
  return {
    service,
    qlikNodes,
    ...(sso ? { sso } : {}),
    precheck: (c) => ipGate(c) ?? browserGuard(c),
    guards: [accessGuard],
    ...(tls ? { tls } : {}),
    registerRoutes: (router) => {
      registerSecurityRoutes(router, service, { host: http.host, tls: Boolean(tls), mtls: Boolean(tls?.mutual) });
      sso?.registerRoutes(router);
    },
    component(router) {
      const access = service.component(() => router.routes, { enabled: http.enabled, host: http.host });
      const denials = denialAudit.component();
      const nodes = qlikNodes.component();
      return {
        name: access.name,
        async start() {
          await access.start();
          await denials.start();
          await nodes.start();
          logKeylessGrant(log, service, qlikNodes);
        },
        async stop(budgetMs) {
          await nodes.stop(budgetMs);
          await denials.stop(budgetMs);
          await access.stop(budgetMs);
        },
      };
    },
    createServer(hono, options, serverLog) {
      if (tls?.mutual) {
        return createMtlsServer(
          hono,
          {
            ...options,
            tls: {
              cert: tls.cert,
              key: tls.key,
              ca: tls.ca!,
              requireClientCert: tls.requireClientCert,
              ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
            },
          },
          serverLog,
        );
      }
      // The runtime's server has no connection cap, and past the open-file limit it tries to accept again at every
      // turn of its loop (accept4 failing with EMFILE thousands of times a second): a flood of idle connections then
      // costs a core until they time out. Under a low limit HTTPS is served by the capped listener, which never
      // reaches the limit (over a cap it closes the longest-idle connection of the busiest address).
      if (tls && isLowFileLimit())
        return createMtlsServer(
          hono,
          { ...options, tls: { cert: tls.cert, key: tls.key, requireClientCert: false, ...(tls.passphrase ? { passphrase: tls.passphrase } : {}) } },
          serverLog,
        );
      return createHttpServer(
        hono,
        {
          ...options,
          loopbackListener: isLoopbackHost(http.host),
          ...(tls ? { tls: { cert: tls.cert, key: tls.key, ...(tls.passphrase ? { passphrase: tls.passphrase } : {}) } } : {}),
        },
        serverLog,
      );
    },
  };
}

/** Once keys exist, what callers without one keep: said at every start, so nobody learns it from a refusal. */
function logKeylessGrant(log: Logger, service: SecurityService, nodes: QlikNodes): void {
  const p = service.policy();
  if (!p.authConfigured) return;
  log.info({ anonymous: p.config.anonymous }, `callers without a key may use ${describeGrant(p.anonymous, nodes)} (security.anonymous)`);
}
