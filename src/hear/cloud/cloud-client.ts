// Calls to one Qlik Cloud tenant's REST API with its API key: every answer read at the edge, so a tenant that
// answers HTML, cut-off JSON or a shape Steward does not know is a typed error naming what was wrong, never a
// crash. 429 carries its Retry-After; 401/403 mean the key is wrong or revoked.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { inFlight } from "../../platform/core/stepped-clock";
import { createHttpClient, type HttpResponse } from "../../platform/http/http-client";

export type CloudErrorKind = "auth" | "rate-limited" | "server" | "bad-answer" | "network" | "not-found" | "refused";

export class CloudApiError extends Error {
  constructor(
    readonly kind: CloudErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "CloudApiError";
  }
}

export const CLOUD_STATUSES = ["QUEUED", "RELOADING", "CANCELING", "SUCCEEDED", "FAILED", "CANCELED", "EXCEEDED_LIMIT"] as const;

export const CloudReloadSchema = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1).max(200),
    appId: z.string().min(1).max(200),
    userId: z.string().nullish(),
    type: z.string().nullish(),
    status: z.string(),
    partial: z.boolean().nullish(),
    creationTime: z.string().nullish(),
    startTime: z.string().nullish(),
    endTime: z.string().nullish(),
    errorCode: z.string().nullish(),
    errorMessage: z.string().nullish(),
  }),
);
export type CloudReload = z.infer<typeof CloudReloadSchema>;

const ListSchema = z.lazy(() =>
  z.looseObject({
    data: z.array(z.unknown()),
    links: z.looseObject({ next: z.looseObject({ href: z.string() }).nullish() }).nullish(),
  }),
);

const AppSchema = z.lazy(() =>
  z.looseObject({
    attributes: z.looseObject({ id: z.string(), name: z.string(), ownerId: z.string().nullish(), spaceId: z.string().nullish() }),
  }),
);
/** A space (`GET /api/v1/spaces/{spaceId}`): its name names the stream of a Cloud reload's event. */
export const SpaceSchema = z.lazy(() => z.looseObject({ id: z.string(), name: z.string() }));
const UserSchema = z.lazy(() => z.looseObject({ id: z.string(), name: z.string().nullish(), email: z.string().nullish() }));
const ApiKeySchema = z.lazy(() => z.looseObject({ id: z.string(), expiry: z.string().nullish(), status: z.string().nullish() }));
const TaskIdSchema = z.lazy(() => z.looseObject({ id: z.string() }));

export interface CloudClient {
  /** One page of the tenant's reloads, newest first; `next` is the URL of the following page. */
  listReloads(pageUrl?: string): Promise<{ reloads: unknown[]; next?: string }>;
  getReload(id: string): Promise<CloudReload>;
  reloadLog(appId: string, reloadId: string): Promise<string>;
  getApp(appId: string): Promise<z.infer<typeof AppSchema>["attributes"]>;
  getSpace(spaceId: string): Promise<z.infer<typeof SpaceSchema>>;
  getUser(userId: string): Promise<z.infer<typeof UserSchema>>;
  startReload(appId: string, partial: boolean): Promise<CloudReload>;
  /** One page of the tenant's Scheduling Tasks (`/api/scheduling/tasks`, 100 a page); `next` is the following page. */
  listTasks(pageUrl?: string): Promise<{ tasks: unknown[]; next?: string }>;
  /** One task's full definition (trigger, states, last run). */
  getTask(id: string): Promise<unknown>;
  /** A task's most recent runs, newest first (one page of at most `limit`). */
  taskRuns(id: string, limit: number): Promise<unknown[]>;
  /**
   * One page of the tenant's automations (`GET /api/workflows/automations`, Qlik's successor of the deprecated
   * `/api/v1/automations`, which a tenant answering 404 to the first is asked instead); `listAll` asks for every
   * user's (a tenant or analytics admin's key), as qlik-cli's `workflows automation ls --listAll` names the parameter.
   */
  listAutomations(pageUrl?: string, listAll?: boolean): Promise<{ automations: unknown[]; next?: string }>;
  /** An automation's newest runs (`GET …/automations/{id}/runs`, sorted by `-startTime`), one page of at most `limit`. */
  automationRuns(id: string, limit: number): Promise<unknown[]>;
  /** The Automations API's base path this client uses (the successor, or the deprecated one the tenant still needs). */
  automationsPath(): string;
  /** The Data Integration Projects API (Qlik Talend Cloud): the JSON answer at `/api/v1/di-projects<path>`, read by the caller. */
  dataIntegration(path: string): Promise<unknown>;
  /** One API key's record (GET /api/v1/api-keys/{id}): when it expires, and whether it is active. */
  getApiKey(id: string): Promise<z.infer<typeof ApiKeySchema>>;
  /** A new API key (a config reload after the old one expired or was revoked): the next call uses it. */
  setApiKey(key: string): void;
  close(): void;
}

const TIMEOUT_MS = 30_000;
/** Qlik's Automations API: the successor (same paths and schemas below it) and the deprecated base, removed on or after 2027-11-30. */
const WORKFLOWS_AUTOMATIONS = "/api/workflows/automations";
const V1_AUTOMATIONS = "/api/v1/automations";
/** A script log can be large; the excerpt keeps the failure lines and the end. */
const MAX_BODY = 8 * 1024 * 1024;

const TokenSchema = z.lazy(() => z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive().optional() }));

/**
 * The key (or the OAuth secret) goes only to the configured tenant over https: same scheme, host and port. A URL
 * from an answer (a page's next link) that differs in any of them is refused, so http on the same host or another
 * port never receives the key, even if the tenant (or something between) offers one.
 */
function assertKeyMayGoTo(url: string, origin: URL): void {
  const u = new URL(url);
  if (u.protocol !== "https:") throw new CloudApiError("bad-answer", `${origin.host}: ${u.protocol}//${u.host} is not https; the API key is not sent there`);
  if (u.origin !== origin.origin)
    throw new CloudApiError("bad-answer", `${origin.host}: ${u.origin} is not the tenant's ${origin.origin}; the API key is not sent there`);
}

/** A list page as the client hands it on: its items under `key`, and the next page's link when there is one. */
function listed<K extends string>(page: z.infer<typeof ListSchema>, key: K): Record<K, unknown[]> & { next?: string } {
  return { [key]: page.data, ...(page.links?.next?.href ? { next: page.links.next.href } : {}) } as Record<K, unknown[]> & { next?: string };
}

/** A next link from a page, resolved against the tenant and checked before any request carries the key. */
function nextPageUrl(href: string, base: string, origin: URL): string {
  let u: URL;
  try {
    u = new URL(href, base);
  } catch {
    throw new CloudApiError("bad-answer", `${origin.host} gave a next page that is not a URL; not followed`);
  }
  if (u.origin !== origin.origin || u.protocol !== "https:")
    throw new CloudApiError(
      "bad-answer",
      `${origin.host} gave a next page at ${u.origin}, not the tenant's ${origin.origin}; not followed (the API key would go there)`,
    );
  return u.toString();
}

export function createCloudClient(opts: {
  url: string;
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string };
  caFile?: string;
  baseDir: string;
  /** Token lifetimes run on it; on a stepped clock each request counts as work in flight (time waits for the answer). */
  clock?: Clock;
  now?: () => number;
}): CloudClient {
  const base = opts.url.replace(/\/+$/, "");
  const client = createHttpClient({ ...(opts.caFile ? { ca: opts.caFile } : {}), baseDir: opts.baseDir, maxBodyBytes: MAX_BODY });
  const http: Pick<typeof client, "request"> = {
    request: (url, init) => (opts.clock ? inFlight(opts.clock, client.request(url, init), `Qlik Cloud ${init.method} ${url}`) : client.request(url, init)),
  };
  const origin = new URL(base);
  const host = origin.host;
  const now = opts.now ?? (opts.clock ? () => opts.clock!.now() : Date.now);
  let token: { value: string; until: number } | undefined;

  /** The API key, or an OAuth access token fetched with the client credentials and renewed a minute before it ends. */
  async function bearer(renew = false): Promise<string> {
    if (opts.apiKey) return opts.apiKey;
    if (!renew && token && token.until > now()) return token.value;
    let res: HttpResponse;
    assertKeyMayGoTo(`${base}/oauth/token`, origin);
    try {
      res = await http.request(`${base}/oauth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ client_id: opts.oauth!.clientId, client_secret: opts.oauth!.clientSecret, grant_type: "client_credentials" }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new CloudApiError("network", `${host}: ${(err as Error).message}`);
    }
    if (res.status === 400 || res.status === 401 || res.status === 403)
      throw new CloudApiError("auth", `${host} refused the OAuth client (HTTP ${res.status}): its id or secret is wrong, or the client was deleted`);
    if (res.status === 429) throw new CloudApiError("rate-limited", `${host} is rate limiting Steward (HTTP 429)`, 60_000);
    if (res.status >= 300) throw new CloudApiError("server", `${host} answered HTTP ${res.status} for a token`);
    let parsed: z.infer<typeof TokenSchema>;
    try {
      parsed = TokenSchema.parse(JSON.parse(res.text));
    } catch {
      throw new CloudApiError("bad-answer", `${host} answered its token endpoint with something that is not a token`);
    }
    const lifetime = (parsed.expires_in ?? 3600) * 1000;
    token = { value: parsed.access_token, until: now() + lifetime - Math.min(60_000, lifetime / 2) };
    return token.value;
  }

  async function call(method: string, url: string, body?: unknown, renewed = false): Promise<HttpResponse> {
    let res: HttpResponse;
    assertKeyMayGoTo(url, origin);
    const auth = await bearer(renewed);
    try {
      res = await http.request(url, {
        method,
        headers: { Authorization: `Bearer ${auth}`, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new CloudApiError("network", `${host}: ${(err as Error).message}`);
    }
    // A token the tenant no longer takes (revoked, or its clock runs ahead of ours) is renewed once.
    if ((res.status === 401 || res.status === 403) && opts.oauth && !renewed) return call(method, url, body, true);
    if (res.status === 401 || res.status === 403)
      throw new CloudApiError(
        "auth",
        opts.oauth
          ? `${host} refused the OAuth client's token (HTTP ${res.status}): the client lost its scope or its user's roles`
          : `${host} refused the API key (HTTP ${res.status}): it is wrong, expired or revoked, or its user lost the role`,
      );
    if (res.status === 429) {
      const after = Number(res.headers["retry-after"]);
      throw new CloudApiError("rate-limited", `${host} is rate limiting Steward (HTTP 429)`, Number.isFinite(after) && after >= 0 ? after * 1000 : 60_000);
    }
    if (res.status >= 500) throw new CloudApiError("server", `${host} answered HTTP ${res.status}`);
    if (res.status === 404) throw new CloudApiError("not-found", `${host}: ${method} ${new URL(url).pathname} not found`);
    if (res.status >= 400)
      throw new CloudApiError("refused", `${host} refused ${method} ${new URL(url).pathname}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return res;
  }

  async function getJson<S extends z.ZodType>(url: string, schema: S, method = "GET", body?: unknown): Promise<z.infer<S>> {
    const res = await call(method, url, body);
    const type = String(res.headers["content-type"] ?? "");
    if (!type.includes("json"))
      throw new CloudApiError("bad-answer", `${host} answered ${type || "no content type"} instead of JSON (${res.text.slice(0, 60).replace(/\s+/g, " ")}…)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new CloudApiError("bad-answer", `${host} answered JSON Steward cannot parse (${res.text.length} bytes, cut off or malformed)`);
    }
    const r = schema.safeParse(parsed);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new CloudApiError("bad-answer", `${host} answered an unexpected shape: ${i.path.join(".") || "(root)"}: ${i.message}`);
    }
    return r.data;
  }

  const nextPage = (href: string): string => nextPageUrl(href, base, origin);

  const automations = { path: WORKFLOWS_AUTOMATIONS };
  return {
    listReloads: async (pageUrl) => listed(await getJson(pageUrl ? nextPage(pageUrl) : `${base}/api/v1/reloads?limit=100&log=false`, ListSchema), "reloads"),
    getReload: (id) => getJson(`${base}/api/v1/reloads/${encodeURIComponent(id)}`, CloudReloadSchema),
    async reloadLog(appId, reloadId) {
      const res = await call("GET", `${base}/api/v1/apps/${encodeURIComponent(appId)}/reloads/logs/${encodeURIComponent(reloadId)}`);
      return res.text;
    },
    getApp: async (appId) => (await getJson(`${base}/api/v1/apps/${encodeURIComponent(appId)}`, AppSchema)).attributes,
    getSpace: (spaceId) => getJson(`${base}/api/v1/spaces/${encodeURIComponent(spaceId)}`, SpaceSchema),
    getUser: (userId) => getJson(`${base}/api/v1/users/${encodeURIComponent(userId)}`, UserSchema),
    dataIntegration: (path) => getJson(`${base}/api/v1/di-projects${path}`, z.unknown()),
    getApiKey: (id) => getJson(`${base}/api/v1/api-keys/${encodeURIComponent(id)}`, ApiKeySchema),
    startReload: (appId, partial) => getJson(`${base}/api/v1/reloads`, CloudReloadSchema, "POST", { appId, partial }),
    listTasks: async (pageUrl) => listed(await getJson(pageUrl ? nextPage(pageUrl) : `${base}/api/scheduling/tasks?limit=100`, ListSchema), "tasks"),
    getTask: (id) => getJson(`${base}/api/scheduling/tasks/${encodeURIComponent(id)}`, TaskIdSchema),
    taskRuns: async (id, limit) =>
      (await getJson(`${base}/api/scheduling/tasks/${encodeURIComponent(id)}/runs?limit=${limit}&sort=-startedAt`, ListSchema)).data,
    async listAutomations(pageUrl, listAll = true) {
      if (pageUrl) return listed(await getJson(nextPage(pageUrl), ListSchema), "automations");
      const first = () => getJson(`${base}${automations.path}?limit=100${listAll ? "&listAll=true" : ""}`, ListSchema);
      try {
        return listed(await first(), "automations");
      } catch (err) {
        // A tenant without Qlik's successor API yet: the deprecated one, from then on (and for the runs too).
        if (!(err instanceof CloudApiError) || err.kind !== "not-found" || automations.path === V1_AUTOMATIONS) throw err;
        automations.path = V1_AUTOMATIONS;
        return listed(await first(), "automations");
      }
    },
    automationRuns: async (id, limit) =>
      (await getJson(`${base}${automations.path}/${encodeURIComponent(id)}/runs?limit=${limit}&sort=-startTime`, ListSchema)).data,
    automationsPath: () => automations.path,
    // opts is this client's own copy (built by setup): the calls read the key from it.
    setApiKey: (key) => void (opts.apiKey = key),
    close: () => client.close(),
  };
}
