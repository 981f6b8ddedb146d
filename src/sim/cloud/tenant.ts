// The simulated Qlik Cloud tenant's state: its reloads (queued → reloading → final), their logs, and the knobs
// that make it misbehave (rate limit, bad list answers). The apps are the site file's apps; spaces its streams.
import { randomBytes } from "node:crypto";
import type { SiteModel } from "../site/model";
import { buildScriptLog } from "../tasks/script-log";
import { SimError } from "../errors";

export const CLOUD_STATUSES = ["QUEUED", "RELOADING", "CANCELING", "SUCCEEDED", "FAILED", "CANCELED", "EXCEEDED_LIMIT"] as const;
export type CloudStatus = (typeof CLOUD_STATUSES)[number];
export const CLOUD_RELOAD_TYPES = ["hub", "chronos", "external", "automations"] as const;
export type CloudReloadType = (typeof CLOUD_RELOAD_TYPES)[number];
export type CloudOutcome = "succeed" | "fail" | "cancel" | "exceed";

export interface CloudReload {
  id: string;
  appId: string;
  userId: string;
  type: CloudReloadType;
  status: CloudStatus;
  partial: boolean;
  creationMs: number;
  startMs?: number;
  endMs?: number;
  errorCode?: string;
  errorMessage?: string;
  /** The full script log (CRLF), once the reload ended. */
  log?: string;
  outcome: CloudOutcome;
}

/** How `GET /api/v1/reloads` misbehaves (tests of a client's defences). */
export const LIST_ANSWERS = ["normal", "html", "truncated", "unknownStatus", "endlessCursor"] as const;
export type ListAnswer = (typeof LIST_ANSWERS)[number];

export interface CloudSettings {
  /** Requests per minute before 429 (Qlik's tier 1 is 1,000). */
  ratePerMinute: number;
  /** Seconds in Retry-After on a 429. */
  retryAfterSeconds: number;
  listAnswer: ListAnswer;
  /** How long a reload stays RELOADING (ms). */
  durationMs: number;
  /** Lifetime of the OAuth client's access tokens (expires_in). */
  oauthTokenSeconds: number;
}

export interface RunRequest {
  appId: string;
  outcome: CloudOutcome;
  type?: CloudReloadType;
  userId?: string;
  partial?: boolean;
  durationMs?: number;
  error?: string;
}

export interface CloudTenant {
  tenantId: string;
  /** Access tokens handed out at /oauth/token so far. */
  oauthTokensIssued: number;
  site: SiteModel;
  settings: CloudSettings;
  reloads(): CloudReload[];
  get(id: string): CloudReload | undefined;
  run(req: RunRequest): CloudReload;
  cancel(id: string): CloudReload | undefined;
  stop(): void;
}

/** Qlik Cloud reload ids are 24 hex digits (object ids). */
export const newReloadId = () => randomBytes(12).toString("hex");

export function createCloudTenant(site: SiteModel, now: () => number, settings: Partial<CloudSettings> = {}): CloudTenant {
  const tenantId = `sim${randomBytes(12).toString("base64url")}`;
  const s: CloudSettings = { ratePerMinute: 1_000, retryAfterSeconds: 1, listAnswer: "normal", durationMs: 50, oauthTokenSeconds: 3_600, ...settings };
  const all: CloudReload[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const ownerOf = (appId: string) => site.apps.find((a) => a.id === appId)?.ownerId ?? site.users[0]?.id ?? "";

  function finish(r: CloudReload, error?: string) {
    if (r.status !== "RELOADING" && r.status !== "CANCELING" && r.status !== "QUEUED") return;
    const end = now();
    r.endMs = end;
    r.startMs ??= end;
    const app = site.apps.find((a) => a.id === r.appId)!;
    const user = site.users.find((u) => u.id === r.userId);
    const logOutcome = r.outcome === "succeed" ? "success" : r.outcome === "fail" ? "fail" : "abort";
    const message = error ?? app.reload.error ?? "Cannot open file: 'lib://DataFiles/orders.qvd'";
    r.log = buildScriptLog({
      script: app.script,
      productVersion: "Qlik Cloud",
      user: user ? `${user.userDirectory}\\${user.userId}` : r.userId,
      startMs: r.startMs,
      stopMs: end,
      outcome: logOutcome,
      error: message,
      partial: r.partial,
    });
    if (r.status === "CANCELING" || r.outcome === "cancel") r.status = "CANCELED";
    else if (r.outcome === "succeed") r.status = "SUCCEEDED";
    else if (r.outcome === "exceed") {
      r.status = "EXCEEDED_LIMIT";
      r.errorCode = "RELOADS-429";
      r.errorMessage = "The reload limit of the tenant was exceeded.";
    } else {
      r.status = "FAILED";
      r.errorCode = "EngineReloadError";
      r.errorMessage = message;
    }
  }

  return {
    tenantId,
    oauthTokensIssued: 0,
    site,
    settings: s,
    reloads: () => all,
    get: (id) => all.find((r) => r.id === id),
    run(req) {
      const app = site.apps.find((a) => a.id === req.appId);
      if (!app) throw new SimError("NOT_FOUND", `no app ${req.appId} in the site file`);
      const r: CloudReload = {
        id: newReloadId(),
        appId: app.id,
        userId: req.userId ?? ownerOf(app.id),
        type: req.type ?? "hub",
        status: "QUEUED",
        partial: req.partial ?? false,
        creationMs: now(),
        outcome: req.outcome,
      };
      all.push(r);
      const duration = req.durationMs ?? s.durationMs;
      later(Math.min(10, duration), () => {
        if (r.status !== "QUEUED") return;
        r.status = "RELOADING";
        r.startMs = now();
        // A cancel request ends it as CANCELING → CANCELED; "cancel" as an outcome is someone cancelling it midway.
        later(duration, () => finish(r, req.error));
      });
      return r;
    },
    cancel(id) {
      const r = all.find((x) => x.id === id);
      if (!r) return undefined;
      if (r.status === "QUEUED" || r.status === "RELOADING") {
        r.status = "CANCELING";
        r.outcome = "cancel";
        later(5, () => finish(r));
      }
      return r;
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
