// Control API of the simulated Qlik Cloud tenant: run a reload to an outcome, list the reloads, change the rate
// limit and switch a misbehaviour on or off (documented in src/sim/README.md).
import { z } from "zod";
import { json } from "../util/http";
import type { CloudTenant } from "./tenant";

const RunSchema = z.strictObject({
  appId: z.string().min(1),
  outcome: z.enum(["succeed", "fail", "cancel"]).default("fail"),
  type: z.enum(["hub", "chronos", "external", "automations"]).optional(),
  partial: z.boolean().optional(),
});
const SettingsSchema = z.strictObject({
  rateLimitPerMinute: z.int().min(1).optional(),
  tokenLifetimeSeconds: z.int().min(1).max(86_400).optional(),
  retryAfterSeconds: z.int().min(0).max(3600).optional(),
  misbehave: z.enum(["html", "truncated", "unknownStatus", "endlessCursor"]).nullable().optional(),
});

type Add = (method: string, path: string, handler: (c: { body: unknown }) => Response) => void;
type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

export function addCloudControlRoutes(add: Add, tenant: CloudTenant, parse: Parse, notFound: (message: string) => Error): void {
  add("POST", "/cloud/reloads", (c) => {
    const b = parse(RunSchema, c.body);
    if (!tenant.apps.has(b.appId.toLowerCase())) throw notFound(`no app ${b.appId} in the site file (the tenant's apps are the site's)`);
    const r = tenant.runReload(b.appId, b.outcome, { ...(b.type ? { type: b.type } : {}), ...(b.partial !== undefined ? { partial: b.partial } : {}) });
    return json(201, { id: r.id, appId: r.appId, status: r.status, type: r.type, outcome: b.outcome });
  });
  add("GET", "/cloud/reloads", () =>
    json(
      200,
      tenant.reloads.map((r) => ({ id: r.id, appId: r.appId, status: r.status, type: r.type })),
    ),
  );
  add("GET", "/cloud/settings", () => json(200, tenant.settings));
  add("PATCH", "/cloud/settings", (c) => {
    const b = parse(SettingsSchema, c.body);
    if (b.rateLimitPerMinute !== undefined) tenant.settings.rateLimitPerMinute = b.rateLimitPerMinute;
    if (b.tokenLifetimeSeconds !== undefined) tenant.settings.tokenLifetimeSeconds = b.tokenLifetimeSeconds;
    if (b.retryAfterSeconds !== undefined) tenant.settings.retryAfterSeconds = b.retryAfterSeconds;
    if (b.misbehave !== undefined) tenant.settings.misbehave = b.misbehave;
    return json(200, tenant.settings);
  });
}
