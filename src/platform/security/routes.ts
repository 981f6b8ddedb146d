// Admin routes for API keys created at run time (the plain key is shown once, in the 201 answer) and a summary
// of the access policy in force.
import { z } from "zod";
import { GRANTABLE_SCOPES, personSchema } from "./config";
import { auditActorOf } from "../http/audit-actor";
import type { Router } from "../http/route";
import type { SecurityService } from "./service";
import { describeGrant } from "./anonymous";

const KeyListingSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    scopes: z.array(z.string()),
    source: z.enum(["config", "store"]),
    person: z.string().optional().describe("The person the key belongs to: the two-person rule counts them, not the key."),
    createdAt: z.string().optional(),
    createdBy: z.string().optional(),
    lastUsedAt: z.string().optional(),
    revokedAt: z.string().optional(),
  }),
);

export function registerSecurityRoutes(router: Router, security: SecurityService, listen: { host: string; tls: boolean; mtls: boolean }): void {
  router.route(
    {
      method: "get",
      path: "/v4/admin/apikeys",
      summary: "List API keys (config and run-time); never shows keys or hashes",
      tags: ["admin"],
      scope: "admin",
      responses: { 200: { description: "keys", schema: () => z.array(KeyListingSchema) } },
    },
    async (c) => c.json(await security.listKeys()),
  );

  router.route(
    {
      method: "post",
      path: "/v4/admin/apikeys",
      summary: "Create an API key; the key is in this answer only",
      description:
        "The key is stored hashed. Names are unique and never reused. The first key created turns authentication on for every non-public route, " +
        "except what security.anonymous keeps for callers without a key (by default the load-script routes, from the Qlik nodes).",
      tags: ["admin"],
      scope: "admin",
      body: z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64"),
        scopes: z.array(z.enum(GRANTABLE_SCOPES)).min(1),
        person: personSchema()
          .optional()
          .describe(
            "The person the key belongs to: their mail address or directory subject, as security.apiKeys[].person. The two-person rule (remediation.approval) counts this key, their other keys and their sign-in as one person; without it the key is a person of its own.",
          ),
      }),
      responses: {
        201: { description: "created", schema: () => KeyListingSchema.unwrap().extend({ key: z.string(), note: z.string() }) },
        409: { description: "name taken, or run-time keys are off" },
      },
    },
    async (c, { body }) => {
      const first = !security.policy().authConfigured;
      const { key, stored } = await security.createKey(body, auditActorOf(c));
      // The first key changes what everyone else may do: said in the answer of the request that made it.
      const change = first
        ? ` This is the first key: authentication is on now. Callers without a key keep ${describeGrant(security.policy().anonymous)} (security.anonymous); every other non-public route needs a key.`
        : "";
      return c.json(
        {
          name: stored.name,
          scopes: stored.scopes,
          source: "store" as const,
          ...(stored.person ? { person: stored.person } : {}),
          createdAt: stored.createdAt,
          createdBy: stored.createdBy,
          key,
          note: `Store this key now; Steward keeps only its hash.${change}`,
        },
        201,
        { "Cache-Control": "no-store" },
      );
    },
  );

  router.route(
    {
      method: "delete",
      path: "/v4/admin/apikeys/:name",
      summary: "Revoke a run-time API key",
      tags: ["admin"],
      scope: "admin",
      params: z.object({ name: z.string().min(1) }),
      responses: {
        204: { description: "revoked" },
        404: { description: "no such active key" },
        409: { description: "a config-file key, or the last credential of a non-loopback listener" },
      },
    },
    async (c, { params }) => {
      await security.revokeKey(params.name, auditActorOf(c));
      return c.body(null, 204);
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/admin/security",
      summary: "The access policy in force (no secrets)",
      tags: ["admin"],
      scope: "admin",
      responses: { 200: { description: "policy summary", schema: () => z.record(z.string(), z.unknown()) } },
    },
    (c) => {
      const p = security.policy();
      const cfg = p.config;
      return c.json({
        listen: listen.host,
        https: listen.tls,
        mutualTls: listen.mtls,
        authenticationConfigured: p.authConfigured,
        ...(p.lockedOut ? { lockedOut: p.lockedOut } : {}),
        allowUnauthenticated: cfg.allowUnauthenticated,
        apiKeys: p.ring.size,
        clientCertRules: p.certRules.map((r) => ({ name: r.name, scopes: r.scopes, subjectCN: r.subjectCN, fingerprint256: r.fingerprint })),
        ipAllowlist: cfg.ipAllowlist,
        rateLimit: {
          perIp: cfg.rateLimit.perIp.enabled ? { requests: cfg.rateLimit.perIp.requests, windowMs: cfg.rateLimit.perIp.window } : null,
          perKey: cfg.rateLimit.perKey.enabled ? { requests: cfg.rateLimit.perKey.requests, windowMs: cfg.rateLimit.perKey.window } : null,
          exemptLoopback: cfg.rateLimit.exemptLoopback,
        },
        queryKey: { enabled: cfg.queryKey.enabled, param: cfg.queryKey.param, routes: [...p.queryRoutes] },
        // What callers without a key keep once keys exist (in force only while authenticationConfigured).
        anonymous: { scopes: p.anonymous.scopes, from: p.anonymous.from },
        statusAccess: { public: cfg.statusAccess.public, ipAllowlist: cfg.statusAccess.ipAllowlist, requireKey: cfg.statusAccess.requireKey },
      });
    },
  );
}
