// Access control as one service: holds the current policy, manages run-time keys, enforces the start-up rule
// (no open API on a non-loopback address unless allowUnauthenticated), and applies a reloaded `security:`.
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import type { SecurityConfig } from "../config/sections/security";
import type { Clock } from "../core/clock";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { RegisteredRoute } from "../http/route";
import type { Scope } from "../http/types";
import { generateApiKey, hashApiKey } from "./api-keys";
import type { KeyStore, StoredKey } from "./key-store";
import { buildPolicy, isLoopbackHost, type SecurityPolicy } from "./policy";

export interface KeyListing {
  name: string;
  scopes: readonly Scope[];
  source: "config" | "store";
  createdAt?: string;
  createdBy?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface SecurityService {
  policy(): SecurityPolicy;
  createKey(input: { name: string; scopes: Scope[] }, actor: AuditActor): Promise<{ key: string; hash: string; stored: StoredKey }>;
  listKeys(): Promise<KeyListing[]>;
  revokeKey(name: string, actor: AuditActor): Promise<void>;
  /** Reads the run-time keys from the store again (keys created or revoked through another Steward). */
  refreshKeys(): Promise<void>;
  /** Validates a new `security:` section against the running listener; the returned function swaps it in. */
  prepare(next: SecurityConfig, listenHost: string): () => void;
  /** Throws CONFIG_INVALID when `host` is not loopback and nothing authenticates callers. */
  checkListenRule(host: string, policy?: SecurityPolicy): void;
  /** Records a run-time key's last use (at most once a minute per key). */
  noteKeyUse(name: string, source: "config" | "store"): void;
  component(routes: () => readonly RegisteredRoute[], http: { enabled: boolean; host: string }): Component;
}

export interface SecurityDeps {
  keyStore: KeyStore;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  /** http.host when the REST API listens: the start-up rule is checked again whenever keys change. */
  listenHost?: string;
  /**
   * In a cluster: how often the run-time keys are read again, so a key created or revoked through another
   * Steward works (or stops working) here within this time. Unset: only after this Steward's own changes.
   */
  keyRefreshMs?: number;
}

/** Why the REST API may not listen on `host` under `policy`, or undefined when it may (shared with `config check`). */
export function listenRuleRefusal(host: string, policy: Pick<SecurityPolicy, "authConfigured" | "config">): string | undefined {
  if (isLoopbackHost(host) || policy.authConfigured || policy.config.allowUnauthenticated) return undefined;
  return (
    `refusing to serve the REST API on ${host} without authentication: anyone who can reach it could start tasks and ` +
    "move files. Add security.apiKeys (steward apikey create) or security.clientCerts, listen on 127.0.0.1, or set " +
    "security.allowUnauthenticated: true to accept the risk."
  );
}

export function createSecurityService(initial: SecurityConfig, deps: SecurityDeps): SecurityService {
  const log = deps.log;
  /** Active run-time keys as last read from the store (read at start, after own changes, and in a cluster on a timer). */
  let storedKeys: StoredKey[] = [];
  let current = buildPolicy(initial, { storedKeys, clock: deps.clock });
  const rebuild = (cfg: SecurityConfig) => (current = buildPolicy(cfg, { storedKeys, clock: deps.clock, previous: current }));
  const fingerprint = (keys: readonly StoredKey[]) => keys.map((k) => `${k.name}|${k.hash}|${k.scopes.join(",")}`).join("\n");
  async function refreshKeys(): Promise<void> {
    const fresh = await deps.keyStore.active();
    if (fingerprint(fresh) === fingerprint(storedKeys)) return;
    storedKeys = fresh;
    rebuild(current.config);
  }
  let refreshTimer: ReturnType<typeof setInterval> | undefined;

  const checkListenRule = (host: string, policy = current) => {
    const refusal = listenRuleRefusal(host, policy);
    if (refusal) throw new AppError("CONFIG_INVALID", refusal);
  };

  const lastTouched = new Map<string, number>();

  return {
    policy: () => current,
    checkListenRule,
    noteKeyUse(name, source) {
      if (source !== "store") return;
      const now = deps.clock.now();
      if (now - (lastTouched.get(name) ?? 0) < 60_000) return;
      lastTouched.set(name, now);
      deps.keyStore.touch(name).catch((err: Error) => log.warn({ name, err: err.message }, "could not record the use of an API key"));
    },
    refreshKeys,
    async createKey(input, actor) {
      const cfg = current.config;
      if (!cfg.storeKeys) throw new AppError("CONFLICT", "run-time keys are off (security.storeKeys: false); add keys to the config file");
      const exists = () => new AppError("CONFLICT", `a key named ${input.name} exists already (names are never reused, even after revocation)`);
      if (cfg.apiKeys.some((k) => k.name === input.name) || (await deps.keyStore.get(input.name))) throw exists();
      const key = generateApiKey();
      const hash = hashApiKey(key);
      const stored = await deps.keyStore.insert({ name: input.name, hash, scopes: input.scopes, createdBy: `${actor.kind}:${actor.name}` });
      if (!stored) throw exists();
      await refreshKeys();
      deps.audit.record({ actor, action: "apikey.create", target: input.name, result: "ok", details: { scopes: input.scopes } });
      log.info({ name: input.name, scopes: input.scopes, by: actor.name }, "API key created");
      return { key, hash, stored };
    },
    async listKeys() {
      const fromConfig: KeyListing[] = current.config.apiKeys.map((k) => ({ name: k.name, scopes: k.scopes, source: "config" }));
      const fromStore: KeyListing[] = (await deps.keyStore.list()).map((k) => ({
        name: k.name,
        scopes: k.scopes,
        source: "store",
        createdAt: k.createdAt,
        createdBy: k.createdBy,
        ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
        ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
      }));
      return [...fromConfig, ...fromStore];
    },
    async revokeKey(name, actor) {
      if (current.config.apiKeys.some((k) => k.name === name)) {
        throw new AppError("CONFLICT", `key ${name} comes from the config file; remove it there and reload`);
      }
      await refreshKeys();
      const existing = await deps.keyStore.get(name);
      if (!existing || existing.revokedAt) throw new AppError("NOT_FOUND", `no active key named ${name}`);
      // The start-up rule holds at every change of keys: revoking the last credential must not leave a
      // non-loopback listener open to anonymous callers (a restart would refuse that state).
      const credentialsLeft = current.ring.names().filter((n) => n !== name).length + current.certRules.length;
      if (deps.listenHost !== undefined && credentialsLeft === 0) {
        try {
          checkListenRule(deps.listenHost, { ...current, authConfigured: false });
        } catch {
          throw new AppError(
            "CONFLICT",
            `${name} is the last API key and the REST API listens on ${deps.listenHost}: revoking it would open the API to anyone ` +
              "who can reach it. Create another key first (or add security.clientCerts), then revoke this one.",
          );
        }
      }
      await deps.keyStore.revoke(name);
      await refreshKeys();
      deps.audit.record({ actor, action: "apikey.revoke", target: name, result: "ok" });
      log.info({ name, by: actor.name }, "API key revoked");
    },
    prepare(next, listenHost) {
      const candidate = buildPolicy(next, { storedKeys, clock: deps.clock, previous: current });
      checkListenRule(listenHost, candidate);
      return () => {
        current = candidate;
        log.info({ keys: candidate.ring.size, clientCertRules: candidate.certRules.length, allowlist: candidate.allow.length }, "access policy reloaded");
      };
    },
    component(routes, http) {
      return {
        name: "security",
        async start() {
          await refreshKeys();
          if (deps.keyRefreshMs) {
            refreshTimer = setInterval(() => {
              refreshKeys().catch((err: Error) => log.warn({ err: err.message }, "cannot read the API keys from the store; the last ones read stay in force"));
            }, deps.keyRefreshMs);
            refreshTimer.unref?.();
          }
          if (!http.enabled) return;
          checkListenRule(http.host);
          const p = current;
          if (!isLoopbackHost(http.host) && !p.authConfigured) {
            log.warn({ host: http.host }, "the REST API is open to anyone who can reach it (security.allowUnauthenticated: true, no keys or certificates)");
          }
          const known = new Set(routes().flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m.toUpperCase()} ${r.path}`)));
          for (const ref of p.queryRoutes) if (!known.has(ref)) log.warn({ route: ref }, "security.queryKey.routes names a route that does not exist");
          if (p.queryRoutes.size > 0) log.warn({ routes: [...p.queryRoutes] }, "API keys are accepted in the query string on these routes (compatibility mode)");
          log.info({ keys: p.ring.size, clientCertRules: p.certRules.length, allowlist: p.allow.length, authenticated: p.authConfigured }, "access control ready");
        },
        stop() {
          clearInterval(refreshTimer);
          refreshTimer = undefined;
        },
      };
    },
  };
}
