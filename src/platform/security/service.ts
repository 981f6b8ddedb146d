// Access control as one service: holds the current policy, manages run-time keys, enforces the start-up rule
// (no open API on a non-loopback address unless allowUnauthenticated) at start, at every reload and, through the
// store, at every change of keys (also one made through another Steward), and applies a reloaded `security:`.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import type { SecurityConfig } from "./config";
import { type Clock, every } from "../core/clock";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { RegisteredRoute } from "../http/route";
import type { Scope } from "../http/types";
import { generateApiKey, hashApiKey } from "./api-keys";
import type { KeyRequirement, KeyStore, StoredKey } from "./key-store";
import { dependsOnStoredKeys, listenRuleRefusal, lockedIfOpen } from "./listen-rule";
import { buildPolicy, isLoopbackHost, type SecurityPolicy } from "./policy";

export { listenRuleRefusal } from "./listen-rule";

export interface KeyListing {
  name: string;
  scopes: readonly Scope[];
  source: "config" | "store";
  /** The person the key belongs to (the two-person rule counts them). */
  person?: string;
  createdAt?: string;
  createdBy?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface SecurityService {
  policy(): SecurityPolicy;
  createKey(input: { name: string; scopes: Scope[]; person?: string }, actor: AuditActor): Promise<{ key: string; hash: string; stored: StoredKey }>;
  listKeys(): Promise<KeyListing[]>;
  revokeKey(name: string, actor: AuditActor): Promise<void>;
  /** Reads the run-time keys from the store again (keys created or revoked through another Steward). */
  refreshKeys(): Promise<void>;
  /** Validates a new `security:` section against the running listener; the returned function swaps it in. */
  prepare(next: SecurityConfig, listenHost: string): Promise<() => void>;
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
  /**
   * In a cluster: asked before a timed read of the keys; false skips it (alone in the cluster and nobody joined since
   * the last read: src/platform/cluster/peer-poll.ts). Never asked while this Steward renews its record of depending
   * on the stored keys (that read renews it). `missed()` after a failed read.
   */
  keyRefreshGate?: (() => boolean) & { missed(): void };
  /** This Steward in the store's records (the cluster's instance id and name). */
  instance?: { id: string; name: string };
}

/** How long a Steward's record that it depends on the stored keys lasts unless renewed (at every key refresh). */
const requirementTtl = (refreshMs: number | undefined) => Math.max(60_000, 3 * (refreshMs ?? 0));

/** Records a stored key's use in the store, at most once a minute per key. */
function keyUseNoter(deps: SecurityDeps, log: SecurityDeps["log"]): SecurityService["noteKeyUse"] {
  const lastTouched = new Map<string, number>();
  return (name, source) => {
    if (source !== "store") return;
    const now = deps.clock.now();
    if (now - (lastTouched.get(name) ?? 0) < 60_000) return;
    lastTouched.set(name, now);
    deps.keyStore.touch(name).catch((err: Error) => log.warn({ name, err: err.message }, "could not record the use of an API key"));
  };
}

/**
 * This Steward's renewals of its record on their way to the store. stop() waits for them before it clears the
 * record: a renewal committed after the clearing would leave the record behind, and another Steward would then refuse
 * to revoke the last key until the record expired.
 */
function trackRenewals(keyStore: KeyStore) {
  const underWay = new Set<Promise<unknown>>();
  return {
    async require(req: KeyRequirement, ttlMs: number): Promise<StoredKey[] | undefined> {
      const renewal = keyStore.require(req, ttlMs);
      underWay.add(renewal);
      try {
        return await renewal;
      } finally {
        underWay.delete(renewal);
      }
    },
    /** Waits for the renewals under way; true when there were any (the record may exist now). */
    async settle(): Promise<boolean> {
      const pending = [...underWay];
      await Promise.allSettled(pending);
      return pending.length > 0;
    },
  };
}

/**
 * A timed read of the keys in a cluster. Keys change only through a Steward's API: alone in the cluster, this
 * Steward's own changes refresh them already, unless its record of depending on them needs the read to renew it.
 */
function timedRefresh(deps: Pick<SecurityDeps, "keyRefreshGate" | "log">, renews: boolean, refresh: () => Promise<void>): void {
  if (!renews && deps.keyRefreshGate && !deps.keyRefreshGate()) return;
  refresh().catch((err: Error) => {
    deps.keyRefreshGate?.missed();
    deps.log.warn({ err: err.message }, "cannot read the API keys from the store; the last ones read stay in force");
  });
}

export function createSecurityService(initial: SecurityConfig, deps: SecurityDeps): SecurityService {
  const log = deps.log;
  const instance = deps.instance ?? { id: `${hostname()}-${randomBytes(3).toString("hex")}`, name: hostname() };
  const requirement = (): KeyRequirement => ({ instanceId: instance.id, instanceName: instance.name, listen: deps.listenHost ?? "" });
  const ttl = requirementTtl(deps.keyRefreshMs);
  /** Active run-time keys as last read from the store (read at start, after own changes, and in a cluster on a timer). */
  let storedKeys: StoredKey[] = [];
  /** The policy as configured; `current` is it, or it locked (listen-rule.ts) while the keys break the rule. */
  let base = buildPolicy(initial, { storedKeys, clock: deps.clock });
  let current = base;
  /** Whether this Steward recorded in the store that it depends on the stored keys. */
  let recorded = false;
  let serving = false;
  const setPolicy = (policy: SecurityPolicy) => {
    base = policy;
    const was = current.lockedOut;
    current = serving ? lockedIfOpen(policy, deps.listenHost) : policy;
    noteLockChange(deps, was, current.lockedOut);
  };
  const rebuild = (cfg: SecurityConfig) => setPolicy(buildPolicy(cfg, { storedKeys, clock: deps.clock, previous: base }));
  const fingerprint = (keys: readonly StoredKey[]) => keys.map((k) => `${k.name}|${k.hash}|${k.scopes.join(",")}`).join("\n");
  const depends = (cfg = base.config) => dependsOnStoredKeys(cfg, deps.listenHost) && cfg.storeKeys;
  const clearRecord = () =>
    deps.keyStore
      .release(instance.id)
      .catch((err: Error) => log.warn({ err: err.message }, "could not clear this Steward's record of depending on the stored keys; it expires on its own"));
  const renewals = trackRenewals(deps.keyStore);
  const require = () => renewals.require(requirement(), ttl);
  let stopped = false;
  /** The active keys; for a Steward that depends on them, read while renewing its record (one locked transaction). */
  const readKeys = async (): Promise<StoredKey[]> => {
    // A stopped Steward renews nothing (a refresh on demand after stop, say).
    if (!depends() || stopped) return deps.keyStore.active();
    const keys = await require();
    // A reload ended the dependence while this waited for the keys' lock (its release may have come first).
    if (!depends()) return deps.keyStore.release(instance.id).then(async () => keys ?? deps.keyStore.active());
    if (keys) recorded = true;
    return keys ?? [];
  };
  async function refreshKeys(): Promise<void> {
    const fresh = await readKeys();
    if (fingerprint(fresh) === fingerprint(storedKeys)) return;
    storedKeys = fresh;
    rebuild(base.config);
  }
  let stopRefresh: (() => void) | undefined;

  const checkListenRule = (host: string, policy = base) => {
    const refusal = listenRuleRefusal(host, policy);
    if (refusal) throw new AppError("CONFIG_INVALID", refusal);
  };

  return {
    policy: () => current,
    checkListenRule,
    noteKeyUse: keyUseNoter(deps, log),
    refreshKeys,
    async createKey(input, actor) {
      const cfg = base.config;
      if (!cfg.storeKeys) throw new AppError("CONFLICT", "run-time keys are off (security.storeKeys: false); add keys to the config file");
      const exists = () => new AppError("CONFLICT", `a key named ${input.name} exists already (names are never reused, even after revocation)`);
      if (cfg.apiKeys.some((k) => k.name === input.name) || (await deps.keyStore.get(input.name))) throw exists();
      const key = generateApiKey();
      const hash = hashApiKey(key);
      const stored = await deps.keyStore.insert({ ...input, hash, createdBy: `${actor.kind}:${actor.name}` });
      if (!stored) throw exists();
      await refreshKeys();
      deps.audit.record({ actor, action: "apikey.create", target: input.name, result: "ok", details: { scopes: input.scopes, person: input.person } });
      log.info({ name: input.name, scopes: input.scopes, by: actor.name }, "API key created");
      return { key, hash, stored };
    },
    listKeys: () => listKeys(base.config, deps.keyStore),
    async revokeKey(name, actor) {
      if (base.config.apiKeys.some((k) => k.name === name)) {
        throw new AppError("CONFLICT", `key ${name} comes from the config file; remove it there and reload`);
      }
      // The store counts the keys left and reads who depends on them in the same locked transaction as the revocation.
      const result = await deps.keyStore.revoke(name, depends() ? requirement() : undefined);
      if (result.outcome === "not-found") throw new AppError("NOT_FOUND", `no active key named ${name}`);
      if (result.outcome === "last-key") throw lastKeyError(name, result.dependents, instance.id);
      await refreshKeys();
      deps.audit.record({ actor, action: "apikey.revoke", target: name, result: "ok" });
      log.info({ name, by: actor.name }, "API key revoked");
    },
    async prepare(next, listenHost) {
      let keys = storedKeys;
      const willDepend = dependsOnStoredKeys(next, listenHost) && next.storeKeys;
      // Depending on the stored keys from now on is recorded before the check, under the store's lock: a key
      // revoked meanwhile through another Steward cannot be the last one.
      const required = willDepend ? await require() : undefined;
      if (willDepend) keys = required ?? [];
      const candidate = buildPolicy(next, { storedKeys: keys, clock: deps.clock, previous: base });
      try {
        checkListenRule(listenHost, candidate);
      } catch (err) {
        if (required && !recorded) await deps.keyStore.release(instance.id).catch(() => {});
        throw err;
      }
      return () => {
        storedKeys = keys;
        setPolicy(candidate);
        if (willDepend) recorded = true;
        else if (recorded) {
          recorded = false;
          void clearRecord();
        }
        log.info({ keys: candidate.ring.size, clientCertRules: candidate.certRules.length, allowlist: candidate.allow.length }, "access policy reloaded");
      };
    },
    component(routes, http) {
      return {
        name: "security",
        async start() {
          stopped = false;
          await refreshKeys();
          if (deps.keyRefreshMs) {
            stopRefresh = every(deps.clock, deps.keyRefreshMs, () => timedRefresh(deps, !stopped && depends(), refreshKeys));
          }
          if (!http.enabled) return;
          checkListenRule(http.host);
          serving = true;
          logAccessReady(log, http.host, current, routes);
        },
        async stop() {
          stopRefresh?.();
          stopRefresh = undefined;
          serving = false;
          stopped = true;
          // A renewal under way (a refresh's) may write the record after this point: clear it once that has landed.
          const renewed = await renewals.settle();
          if (recorded || renewed) {
            recorded = false;
            await clearRecord();
          }
        },
      };
    },
  };
}

/** The keys of the config file and of the store (active and revoked), without their secrets. */
async function listKeys(cfg: SecurityConfig, keyStore: SecurityDeps["keyStore"]): Promise<KeyListing[]> {
  const fromConfig: KeyListing[] = cfg.apiKeys.map((k) => ({ name: k.name, scopes: k.scopes, source: "config", ...(k.person ? { person: k.person } : {}) }));
  const fromStore: KeyListing[] = (await keyStore.list()).map((k) => ({
    name: k.name,
    scopes: k.scopes,
    source: "store",
    ...(k.person ? { person: k.person } : {}),
    createdAt: k.createdAt,
    createdBy: k.createdBy,
    ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
    ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
  }));
  return [...fromConfig, ...fromStore];
}

/** The 409 for revoking the last key a Steward listening beyond loopback authenticates callers with. */
function lastKeyError(name: string, dependents: Array<{ instanceId: string; name: string; listen: string }>, selfId: string): AppError {
  const who = dependents.map((d) => (d.instanceId === selfId ? `this Steward (${d.listen})` : `${d.name} (${d.listen})`));
  return new AppError(
    "CONFLICT",
    `${name} is the last API key, and the REST API of ${who.join(", ")} listens beyond loopback with only these keys to authenticate callers: ` +
      "revoking it would open that API to anyone who can reach it. Create another key first (or give that Steward security.apiKeys or " +
      "security.clientCerts), then revoke this one.",
    { details: { dependents } },
  );
}

/** At start: warnings for an open API and for query-string keys (and routes that do not exist), then the summary. */
function logAccessReady(log: Logger, host: string, p: SecurityPolicy, routes: () => ReadonlyArray<{ method: string | readonly string[]; path: string }>): void {
  if (!isLoopbackHost(host) && !p.authConfigured) {
    log.warn({ host }, "the REST API is open to anyone who can reach it (security.allowUnauthenticated: true, no keys or certificates)");
  }
  const known = new Set(routes().flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m.toUpperCase()} ${r.path}`)));
  for (const ref of p.queryRoutes) if (!known.has(ref)) log.warn({ route: ref }, "security.queryKey.routes names a route that does not exist");
  if (p.queryRoutes.size > 0) log.warn({ routes: [...p.queryRoutes] }, "API keys are accepted in the query string on these routes (compatibility mode)");
  log.info({ keys: p.ring.size, clientCertRules: p.certRules.length, allowlist: p.allow.length, authenticated: p.authConfigured }, "access control ready");
}

/** The REST API locked (no key left for a Steward listening beyond loopback) or open again: logged, and audited when locked. */
function noteLockChange(deps: SecurityDeps, was: string | undefined, now: string | undefined): void {
  if (now && !was) {
    deps.log.error({ listen: deps.listenHost }, now);
    deps.audit.record({
      actor: { kind: "system", name: "security" },
      action: "access.locked",
      target: deps.listenHost,
      result: "ok",
      details: { reason: "no API key left" },
    });
  } else if (!now && was) deps.log.info({ listen: deps.listenHost }, "an API key exists again: the REST API serves authenticated callers again");
}
