// Control-API routes of the simulated Qlik Cloud tenant: run a reload with a chosen outcome, list reloads, and
// change the knobs (rate limit, Retry-After, misbehaving list answers, reload duration).
import { z } from "zod";
import { json } from "../util/http";
import type { Router } from "../util/router";
import { CLOUD_OAUTH_CLIENT_ID } from "./server";
import { CLOUD_RELOAD_TYPES, LIST_ANSWERS, type CloudReload, type CloudTenant } from "./tenant";

const RunSchema = z.strictObject({
  appId: z.string().min(1),
  outcome: z.enum(["succeed", "fail", "cancel", "exceed"]),
  type: z.enum(CLOUD_RELOAD_TYPES).optional(),
  userId: z.string().min(1).optional(),
  partial: z.boolean().optional(),
  durationMs: z.int().min(0).max(3_600_000).optional(),
  /** The `Error:` line of a failed reload's log (default: the app's `reload.error` from the site file). */
  error: z.string().min(1).max(2_000).optional(),
});

export const CloudSettingsPatchSchema = z.strictObject({
  ratePerMinute: z.int().min(1).max(1_000_000).optional(),
  retryAfterSeconds: z.int().min(0).max(3_600).optional(),
  listAnswer: z.enum(LIST_ANSWERS).optional(),
  durationMs: z.int().min(0).max(3_600_000).optional(),
  oauthTokenSeconds: z.int().min(1).max(86_400).optional(),
});

export interface CloudControlContext {
  body: unknown;
}

export type BadRequestFactory = (message: string, details?: unknown) => Error;

const summary = (r: CloudReload) => ({
  id: r.id,
  appId: r.appId,
  status: r.status,
  type: r.type,
  userId: r.userId,
  creationTime: new Date(r.creationMs).toISOString(),
  ...(r.endMs !== undefined ? { endTime: new Date(r.endMs).toISOString() } : {}),
});

export function addCloudControlRoutes<C extends CloudControlContext>(
  r: Router<C>,
  tenant: CloudTenant,
  info: { url: string; apiKeyFile: string },
  badRequest: BadRequestFactory,
): void {
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const res = schema.safeParse(body ?? {});
    if (!res.success)
      throw badRequest(
        "invalid request body",
        res.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
      );
    return res.data;
  };
  r.add("GET", "/cloud", () =>
    json(200, {
      url: info.url,
      tenantId: tenant.tenantId,
      apiKeyFile: info.apiKeyFile,
      oauth: { clientId: CLOUD_OAUTH_CLIENT_ID, clientSecret: "the API key", tokensIssued: tenant.oauthTokensIssued },
      settings: tenant.settings,
    }),
  );
  r.add("POST", "/cloud/reloads", (c) => {
    const b = parse(RunSchema, c.body);
    if (!tenant.site.apps.some((a) => a.id === b.appId))
      throw badRequest(
        `no app ${b.appId} in the site file`,
        tenant.site.apps.map((a) => `${a.id} ${a.name}`),
      );
    const { appId, outcome, ...rest } = b;
    const run = tenant.run({ appId, outcome, ...rest });
    return json(201, summary(run));
  });
  r.add("GET", "/cloud/reloads", () => json(200, tenant.reloads().map(summary)));
  r.add("PATCH", "/cloud/settings", (c) => {
    const p = parse(CloudSettingsPatchSchema, c.body);
    for (const [k, v] of Object.entries(p)) if (v !== undefined) (tenant.settings as unknown as Record<string, unknown>)[k] = v;
    return json(200, tenant.settings);
  });
}
