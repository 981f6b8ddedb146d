// A simulated Qlik Cloud tenant's state: its apps (the site file's), the reloads they had, and how it answers:
// API-key bearer auth, a per-minute request budget (429 with Retry-After past it), and misbehaviours a test can
// switch on (HTML instead of JSON, cut-off JSON, an unknown status, a `next` cursor that never ends).
import type { Clock, Timer } from "../../platform/core/clock";
import { randomBytes } from "node:crypto";
import type { SiteModel } from "../site/model";
import { newGuid } from "../util/ids";
import type { CloudFailure, CloudOutcome, CloudReload } from "./reload-types";
import { type CloudScheduling, createCloudScheduling } from "./scheduling";
import { createSimAutomations, type SimAutomations } from "./automations";
import { createSimDataIntegration, type SimDataIntegration } from "./data-integration";

export type { CloudFailure, CloudOutcome, CloudReload, CloudReloadStatus } from "./reload-types";
export type CloudMisbehaviour = "html" | "truncated" | "unknownStatus" | "unreadableEntry" | "endlessCursor";

export interface CloudApp {
  id: string;
  name: string;
  spaceId: string;
  ownerId: string;
}

export interface CloudSettings {
  /** Requests per minute before 429 (Qlik's tier 1 is 1,000). */
  rateLimitPerMinute: number;
  /** Requests per minute to the Scheduling Tasks API before 429 (Qlik's "Special" tier: 600). */
  schedulingRateLimitPerMinute: number;
  /** Lifetime of an OAuth access token, in seconds (Qlik's is 6 hours). */
  tokenLifetimeSeconds: number;
  /** Seconds in Retry-After of a 429. */
  retryAfterSeconds: number;
  /** When the API key expires (ISO), as GET /api/v1/api-keys/{id} tells it; null: it never does. */
  apiKeyExpiry: string | null;
  misbehave: CloudMisbehaviour | null;
  /** The key's user is no tenant admin: the Automations API answers 403 (the reloads still answer). */
  automationsForbidden: boolean;
  /** The Automations API does not take `listAll` (400), as a tenant whose API predates it might answer. */
  listAllRefused: boolean;
  /** False: the tenant has only the deprecated `/api/v1/automations`, not Qlik's successor `/api/workflows/automations` (404). */
  workflowsApi: boolean;
  /** Qlik disables a task after this many failed runs in a row (it does since June 2026; the count is not documented; 0: never). */
  disableAfterFailures: number;
}

export const CLOUD_TENANT_ID = "Xq7c1loudTenant0000000000000000";
/** The id of the simulated tenant's API key: the key's jti, and the path of GET /api/v1/api-keys/{id}. */
export const CLOUD_API_KEY_ID = "6571e4a1b2c3d4e5f6a7b8ca";
export const CLOUD_USER_ID = "6571e4a1b2c3d4e5f6a7b8c9";
const SPACE_ID = "6571f0a1b2c3d4e5f6a7b8c0";

/** A key shaped as Qlik Cloud's are: a JWT whose payload names the key (jti) and its user; the signature is random. */
function simulatedApiKey(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const payload = { sub: CLOUD_USER_ID, subType: "user", tenantId: CLOUD_TENANT_ID, jti: CLOUD_API_KEY_ID, aud: "qlik.api", iss: "qlik.api/api-keys" };
  return `${part({ alg: "ES384", kid: "sim", typ: "JWT" })}.${part(payload)}.${randomBytes(48).toString("base64url")}`;
}

export interface CloudTenant {
  apiKey: string;
  /** A machine-to-machine OAuth client (client credentials grant at POST /oauth/token). */
  oauthClient: { clientId: string; clientSecret: string };
  /** A new access token for the client's credentials, or undefined when they are wrong. */
  issueToken(clientId: string, clientSecret: string, nowMs: number): { token: string; expiresIn: number } | undefined;
  /** The API key, or an access token that has not expired. */
  accepts(bearer: string, nowMs: number): boolean;
  apps: Map<string, CloudApp>;
  reloads: CloudReload[];
  settings: CloudSettings;
  /** The tenant's Scheduling Tasks (time-scheduled reload tasks) and their runs. */
  scheduling: CloudScheduling;
  /** The tenant's Qlik Automate automations and their runs. */
  automations: SimAutomations;
  /** The tenant's Qlik Talend Cloud data projects and data tasks (data-integration.ts). */
  dataIntegration: SimDataIntegration;
  /** Runs a reload of an app of the site file to the outcome, as the tenant's reload service would. */
  runReload(
    appId: string,
    outcome: CloudOutcome,
    opts?: {
      type?: CloudReload["type"];
      partial?: boolean;
      atMs?: number;
      failure?: CloudFailure;
      resource?: CloudReload["resource"];
      onEnd?: (r: CloudReload) => void;
    },
  ): CloudReload;
  /** Starts and ends every reload whose planned time has come, whether or not its timer fired yet. */
  settle(nowMs: number): void;
  /** True when this request is over the minute's budget of its rate tier (the caller answers 429). */
  overBudget(nowMs: number, tier?: "tier1" | "scheduling"): boolean;
  stop(): void;
}

export function createCloudTenant(
  site: SiteModel,
  deps: { now: () => number; clock: Clock; durationMs: () => number; apiKey?: string; speed?: number; schedules?: boolean },
): CloudTenant {
  const apps = new Map<string, CloudApp>();
  for (const a of site.apps) apps.set(a.id, { id: a.id, name: a.name, spaceId: SPACE_ID, ownerId: CLOUD_USER_ID });
  const reloads: CloudReload[] = [];
  const timers = new Set<Timer>();
  const settings: CloudSettings = {
    rateLimitPerMinute: 1_000,
    schedulingRateLimitPerMinute: 600,
    tokenLifetimeSeconds: 21_600,
    retryAfterSeconds: 2,
    apiKeyExpiry: null,
    misbehave: null,
    disableAfterFailures: 0,
    automationsForbidden: false,
    workflowsApi: true,
    listAllRefused: false,
  };
  const tokens = new Map<string, number>();
  /** Reloads not yet ended, with their planned start and end (simulated time). */
  const pending = new Map<CloudReload, { startAt: number; endAt: number; begin: () => void; finish: () => void }>();
  const windows = { tier1: { start: 0, used: 0 }, scheduling: { start: 0, used: 0 } };
  const later = (ms: number, fn: () => void) => {
    const t = deps.clock.setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const tenant: CloudTenant = {
    apiKey: deps.apiKey ?? simulatedApiKey(),
    oauthClient: { clientId: `simclient_${randomBytes(8).toString("hex")}`, clientSecret: randomBytes(24).toString("hex") },
    issueToken(clientId, clientSecret, nowMs) {
      if (clientId !== this.oauthClient.clientId || clientSecret !== this.oauthClient.clientSecret) return undefined;
      const token = `simtoken_${randomBytes(24).toString("hex")}`;
      tokens.set(token, nowMs + settings.tokenLifetimeSeconds * 1000);
      for (const [t, until] of tokens) if (until < nowMs) tokens.delete(t);
      return { token, expiresIn: settings.tokenLifetimeSeconds };
    },
    accepts(bearer, nowMs) {
      if (bearer === this.apiKey) return true;
      const until = tokens.get(bearer);
      return until !== undefined && until > nowMs;
    },
    apps,
    reloads,
    settings,
    scheduling: undefined as unknown as CloudScheduling,
    automations: undefined as unknown as SimAutomations,
    dataIntegration: undefined as unknown as SimDataIntegration,
    runReload(appId, outcome, opts = {}) {
      const app = apps.get(appId.toLowerCase());
      if (!app) throw new Error(`no app ${appId} in the site file`);
      const r: CloudReload = {
        id: newGuid().replace(/-/g, "").slice(0, 24),
        appId: app.id,
        tenantId: CLOUD_TENANT_ID,
        userId: CLOUD_USER_ID,
        type: opts.type ?? "chronos",
        status: "QUEUED",
        partial: opts.partial ?? false,
        creationTime: opts.atMs ?? deps.now(),
        log: "",
        ...(opts.resource ? { resource: opts.resource } : {}),
      };
      reloads.push(r);
      const d = deps.durationMs();
      // Start and end are planned from the creation time and applied when due, by the timer or by the first request
      // after (settle): a timer that fires late on a busy machine must not make the reload longer in the tenant's
      // answers, or the watchdog would see a run no real tenant ran.
      const startAt = r.creationTime + Math.round(d / 4);
      const endAt = r.creationTime + d;
      const finish = () => {
        if (!pending.delete(r)) return;
        r.startTime ??= startAt;
        r.endTime = endAt;
        r.log = reloadLog(app.name, r, outcome, opts.failure);
        if (outcome === "succeed") r.status = "SUCCEEDED";
        else if (outcome === "cancel") r.status = "CANCELED";
        else {
          r.status = "FAILED";
          r.errorCode = "EngineReloadScriptError";
          r.errorMessage = `The reload script failed: ${opts.failure?.error ?? "Field 'OrderDate' not found"}`;
        }
        opts.onEnd?.(r);
      };
      const begin = () => {
        if (r.status !== "QUEUED") return;
        r.status = "RELOADING";
        r.startTime = startAt;
      };
      pending.set(r, { startAt, endAt, begin, finish });
      later(Math.max(0, startAt - deps.now()), begin);
      later(Math.max(0, endAt - deps.now()), finish);
      return r;
    },
    settle(nowMs) {
      tenant.automations.settle(nowMs);
      for (const p of [...pending.values()].sort((a, b) => a.endAt - b.endAt)) {
        if (p.startAt <= nowMs) p.begin();
        if (p.endAt <= nowMs) p.finish();
      }
    },
    overBudget(nowMs, tier = "tier1") {
      const w = windows[tier];
      if (nowMs - w.start >= 60_000) {
        w.start = nowMs;
        w.used = 0;
      }
      w.used++;
      return w.used > (tier === "scheduling" ? settings.schedulingRateLimitPerMinute : settings.rateLimitPerMinute);
    },
    stop() {
      tenant.scheduling.stop();
      for (const t of timers) deps.clock.clearTimeout(t);
      timers.clear();
    },
  };
  tenant.scheduling = createCloudScheduling({
    now: deps.now,
    clock: deps.clock,
    speed: deps.speed ?? 1,
    enabled: deps.schedules ?? false,
    spaceId: SPACE_ID,
    ownerId: CLOUD_USER_ID,
    runReload: (appId, outcome, opts) => tenant.runReload(appId, outcome, opts),
    disableAfterFailures: () => settings.disableAfterFailures,
  });
  tenant.automations = createSimAutomations({
    now: deps.now,
    durationMs: deps.durationMs,
    ownerId: CLOUD_USER_ID,
    spaceId: SPACE_ID,
    reload: (appId, atMs) => void tenant.runReload(appId, "succeed", { type: "automations", atMs }),
  });
  const datasetUpdated = (id: string) => void tenant.scheduling.datasetUpdated(id, 1);
  tenant.dataIntegration = createSimDataIntegration({ now: deps.now, spaceId: SPACE_ID, ownerId: CLOUD_USER_ID, datasetUpdated });
  for (const t of site.cloudTasks ?? []) tenant.scheduling.add(t);
  tenant.scheduling.start();
  return tenant;
}

/** A Qlik Cloud reload log (CRLF), ending as the Engine ends a failed, cancelled or successful reload. */
function reloadLog(appName: string, r: CloudReload, outcome: CloudOutcome, failure?: CloudFailure): string {
  // The Engine's own stamp, as in on-premise script logs: 20261123T085946.453+0000.
  const stamp = (ms: number) => `${new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "")}+0000`;
  const lines = [
    `${stamp(r.startTime ?? r.creationTime)} Execution started.`,
    `${stamp(r.startTime ?? r.creationTime)} Qlik Cloud reload of ${appName} (${r.id})`,
    ...(failure?.connection ? [`${stamp(r.startTime ?? r.creationTime)} LIB CONNECT TO '${failure.connection}'`] : []),
    `${stamp(r.startTime ?? r.creationTime)} Orders << orders.qvd`,
    `${stamp(r.startTime ?? r.creationTime)} Lines fetched: 118,204`,
  ];
  const end = stamp(r.endTime ?? r.creationTime);
  if (outcome === "fail")
    lines.push(
      `${end} Customers << customers.qvd`,
      `${end} Error: ${failure?.error ?? "Field 'OrderDate' not found"}`,
      `${end} Execution Failed`,
      `${end} Execution finished.`,
    );
  else if (outcome === "cancel") lines.push(`${end} Execution cancelled by user`, `${end} Execution finished.`);
  else lines.push(`${end} Execution finished.`);
  return `${lines.join("\r\n")}\r\n`;
}
