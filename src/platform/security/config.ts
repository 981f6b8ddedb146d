// Config of REST API access control: API keys (hashed), client-certificate rules, HTTPS, IP allowlist, rate
// limits, the query-string key mode for load scripts, and the explicit opt-out of authentication.
import { z } from "zod";
import { WIDENING_PATHS } from "../config/override-policy";

/** Query parameters Steward's routes use; the API key cannot travel under one of these names. */
const RESERVED_QUERY_PARAMS = [
  "key",
  "id",
  "status",
  "kind",
  "wait",
  "timeout",
  "alltaskidsmustexist",
  "base62",
  "base16",
  "limit",
  "since",
  "until",
  "action",
  "target",
  "result",
  "channel",
  "next",
];
import { parseRange } from "./ip-match";
import { DurationSchema } from "../core/duration";
import { ssoSchema } from "./sso-config";

/** Scopes a key or certificate can be given ("public" routes need none). admin implies every other scope. */
// "status": the read-only freshness of apps and streams (src/show/status), for keys handed to business users and extensions.
// "read": every read of what Steward knows (incidents, causes, runs, the watchdog, freshness, check-ins, schedules,
// deliveries, the audit) and nothing that changes anything, for people and tools that must not act.
export const GRANTABLE_SCOPES = ["tasks", "apps", "kv.read", "kv.write", "files", "schedules", "mqtt", "status", "read", "admin"] as const;

const scopeListSchema = () =>
  z
    .array(z.enum(GRANTABLE_SCOPES))
    .min(1)
    .describe(
      "Scopes granted: tasks, apps, kv.read, kv.write, files, schedules, mqtt, status, read, admin (admin implies all; read: every read of incidents, runs, watchdog, freshness, schedules, deliveries and the audit, no change).",
    );

export const KEY_HASH_PATTERN = /^(sha256:[0-9a-f]{64}|scrypt:\d+:\d+:\d+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+(:[0-9a-f]{16})?)$/;

/**
 * The person a key belongs to, as the config (security.apiKeys[].person), POST /v4/admin/apikeys and `steward apikey
 * create --person` take it: one directory subject or mail address, as a name the two-person rule can compare.
 */
export const personSchema = () =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\s()<>]+$/, "the directory subject or mail address of one person, without spaces, brackets or parentheses");

export const apiKeyEntrySchema = () =>
  z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64")
      .describe("Shown in the audit log as the actor."),
    hash: z
      .string()
      .regex(KEY_HASH_PATTERN, "expected sha256:<64 hex> or scrypt:N:r:p:salt:hash (from `steward apikey create`)")
      .describe("Hash of the key, as printed by `steward apikey create`; the key itself is never stored."),
    scopes: scopeListSchema(),
    person: personSchema()
      .optional()
      .describe(
        "The person this key belongs to: the directory subject (sub) or mail address their single sign-on (security.sso) gives, e.g. anna@corp.example. The two-person rule (remediation.approval) counts people: this key, another key of the same person and their sign-in are one. A key without it is a person of its own.",
      )
      .meta({ examples: ["anna@corp.example"] }),
  });

export const clientCertRuleSchema = () =>
  z
    .strictObject({
      name: z.string().min(1).max(64).describe("Shown in the audit log as the actor."),
      subjectCN: z.string().min(1).optional().describe("Common name (CN) of the certificate subject."),
      fingerprint256: z
        .string()
        .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, "expected a SHA-256 fingerprint (64 hex digits, colons optional)")
        .optional()
        .describe("SHA-256 fingerprint of the certificate; pins one certificate exactly.")
        .meta({ examples: ["3A:1F:52:9C:0B:7E:44:D2:91:6A:C8:05:EF:13:27:B9:60:4D:AA:8E:72:19:C3:5B:E0:94:2F:6D:81:07:BC:45"] }),
      scopes: scopeListSchema(),
    })
    .refine((r) => r.subjectCN !== undefined || r.fingerprint256 !== undefined, { message: "give subjectCN or fingerprint256 (or both)" })
    .describe("A client certificate (verified against tls.caFile) that authenticates as this name with these scopes.");

export const tlsSchema = () =>
  z
    .strictObject({
      certFile: z.string().min(1).describe("PEM server certificate (chain), relative to the config file."),
      keyFile: z.string().min(1).describe("PEM private key of the server certificate."),
      passphrase: z.string().optional().describe("Passphrase of an encrypted key; use ${env:NAME} or ${file:PATH}."),
      caFile: z.string().min(1).optional().describe("PEM CA certificate(s) that client certificates must chain to (mutual TLS)."),
      requireClientCert: z
        .boolean()
        .default(false)
        .describe("Refuse the TLS handshake without a valid client certificate. Off: API keys still work alongside certificates."),
    })
    .describe("HTTPS for the REST API. With clientCerts rules (or requireClientCert) the server asks for client certificates.");

export const rateRuleSchema = () =>
  z.strictObject({
    enabled: z.boolean().default(true).describe("Apply this limit."),
    requests: z.number().int().min(1).max(1_000_000).default(600).describe("Requests allowed per window."),
    window: DurationSchema.prefault("1m").describe('Window length, e.g. "1m", "10s".'),
  });

export const rateLimitSchema = () =>
  z
    .strictObject({
      perIp: rateRuleSchema().prefault({}).describe("Per caller address; applied before authentication, so it also slows key guessing."),
      perKey: rateRuleSchema().prefault({}).describe("Per API key or client-certificate identity."),
      exemptLoopback: z.boolean().default(true).describe("The per-IP limit does not apply to 127.0.0.0/8 and ::1 (load scripts on this server)."),
    })
    .describe("Rate limits: over the limit a request gets 429 with Retry-After; every limited response has RateLimit-* headers.");

const ROUTE_REF = /^(GET|POST|PUT|DELETE|PATCH) \/\S*$/;

export const queryKeySchema = () =>
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe("Accept an API key in the query string on the routes listed below (off by default: a key in a URL ends up in logs)."),
      param: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/)
        // Names the API's own routes read would make those routes unusable (e.g. the key-value store's ?key=).
        .refine((p) => !RESERVED_QUERY_PARAMS.includes(p.toLowerCase()), {
          message: "this name is a query parameter of Steward's own routes; choose another, e.g. apiKey",
        })
        .default("apiKey")
        .describe("Query parameter that carries the key."),
      routes: z
        .array(z.string().regex(ROUTE_REF, 'expected "METHOD /path" as in /openapi.json, e.g. "PUT /v4/reloadtask/:taskId/start"'))
        .default([])
        .describe("The only routes where a key in the query string is accepted."),
    })
    .describe(
      "Compatibility mode for Qlik load scripts that cannot send headers: ?apiKey=… on the listed routes only. Off by default: a key in " +
        "a URL ends up in proxy logs, browser history and the Qlik script log, so give such keys the narrowest scopes and rotate them.",
    );

const cidrListSchema = () =>
  z
    .array(z.string().refine((s) => parseRange(s) !== undefined, { message: "expected an IP address or CIDR, e.g. 10.20.0.0/16 or fd00::/8" }))
    .max(500)
    .default([]);

export const statusAccessSchema = () =>
  z
    .strictObject({
      ipAllowlist: cidrListSchema()
        .meta({ examples: [["10.20.0.0/16", "fd00:20::/32"]] })
        .describe(
          "Callers from these addresses (IPs or CIDRs, IPv4 or IPv6) may read the status routes (/status, /v4/status/…). Empty: the status key alone decides.",
        ),
      public: z
        .boolean()
        .default(false)
        .describe(
          "true: anyone who reaches Steward reads the status routes (/status, /v4/status/…) without a key (security.ipAllowlist still applies). For a status page on an intranet.",
        ),
      requireKey: z
        .boolean()
        .default(false)
        .describe(
          "false: an address in ipAllowlist reads the status routes without a key, and a key with scope status works from anywhere. true: both are needed (the allowlist narrows where a status key works).",
        ),
      trustedProxies: cidrListSchema()
        .meta({ examples: [["10.0.0.5"]] })
        .describe(
          "Reverse proxies whose X-Forwarded-For is believed when judging ipAllowlist and naming callers in the audit (security.trustedProxies counts here too). Unlike security.trustedProxies, they give no caller security.anonymous's grant. Empty: the header is ignored and the connection's address counts.",
        ),
    })
    .describe("Who may read the business-facing status without (or besides) a status key: an address allowlist (docs/status.md).");

/** What Butler's load-script subs (butler_subs.qvs) and Steward's own steward.qvs call: tasks, app reloads, the key-value store, files, MQTT and Slack. */
export const LOAD_SCRIPT_SCOPES = ["tasks", "apps", "kv.read", "kv.write", "files", "mqtt"] as const;
/** Words `security.anonymous.from` takes besides addresses. */
export const ANONYMOUS_SOURCES = ["qlik-nodes", "loopback"] as const;

export const anonymousSchema = () =>
  z
    .strictObject({
      scopes: z
        .array(z.enum(GRANTABLE_SCOPES).refine((s) => s !== "admin", { message: "admin is never granted to callers without a key" }))
        .default([...LOAD_SCRIPT_SCOPES])
        .describe(
          "Scopes a caller without a key keeps once keys exist: tasks, apps, kv.read, kv.write, files, schedules, mqtt, status, read (not admin). " +
            "Default: what load scripts call (tasks, apps, kv.read, kv.write, files, mqtt). [] closes every non-public route to callers without a key.",
        ),
      from: z
        .array(
          z.string().refine((s) => (ANONYMOUS_SOURCES as readonly string[]).includes(s) || parseRange(s) !== undefined, {
            message: "expected qlik-nodes, loopback, or an IP address or CIDR, e.g. 10.20.0.0/16",
          }),
        )
        .max(500)
        .default(["qlik-nodes"])
        .describe(
          "Where such callers may be: qlik-nodes (the addresses of qlik.host and of the nodes QRS lists, re-resolved every 5 minutes, and this " +
            "server's loopback when Steward runs on one of them; loopback only without a qlik: section), loopback (this server), IPs or CIDRs.",
        ),
    })
    .describe(
      "What a caller without a key may still do once an API key or client certificate exists, and from where. Before the first key " +
        "every caller may do everything (the listen rule keeps that to loopback unless allowUnauthenticated); after it, only this.",
    );

export const securitySchema = () =>
  z
    .strictObject({
      allowUnauthenticated: z
        .boolean()
        .default(false)
        .describe(
          "Allow listening on a non-loopback address with no API keys or client certificates configured. Anyone who can reach " +
            "the port may then start tasks and move files; a warning is logged at every start.",
        ),
      apiKeys: z.array(apiKeyEntrySchema()).default([]).describe("API keys (hashed). Sent as X-API-Key or Authorization: Bearer."),
      storeKeys: z.boolean().default(true).describe("Also accept keys created at run time with POST /v4/admin/apikeys (kept hashed in the store)."),
      clientCerts: z.array(clientCertRuleSchema()).default([]).describe("Client-certificate identities (needs tls.caFile)."),
      tls: tlsSchema().optional(),
      ipAllowlist: z
        .array(z.string().refine((s) => parseRange(s) !== undefined, { message: "expected an IP address or CIDR, e.g. 10.0.0.0/24 or fd00::/8" }))
        .default([])
        .describe("Callers allowed to reach the API (IPs or CIDRs). Empty: any address. Loopback is always allowed."),
      rateLimit: rateLimitSchema().prefault({}),
      statusAccess: statusAccessSchema().prefault({}),
      anonymous: anonymousSchema().prefault({}),
      trustedProxies: cidrListSchema()
        .meta({ examples: [["10.0.0.5"]] })
        .describe(
          "Reverse proxies (IPs or CIDRs) whose X-Forwarded-For names the caller in the audit log, request logs and statusAccess. Empty: the header is ignored and the connection's address is recorded.",
        ),
      queryKey: queryKeySchema().prefault({}),
      sso: ssoSchema(GRANTABLE_SCOPES).optional(),
      allowEnvOverrides: z
        .array(z.enum(WIDENING_PATHS))
        .default([])
        .describe(
          "Settings that widen access (http.host beyond loopback, security, dataDir, store, files, …) which STEWARD_* variables, from the " +
            "environment or steward.env, may set. Empty: only this file sets them, and such a variable stops the start. Only this file sets this list.",
        )
        .meta({ examples: [["http.host"]] }),
      allowedHosts: z
        .array(z.string().regex(/^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})$/, "expected a host name without port, e.g. steward.corp.example"))
        .default([])
        .describe(
          "While no keys or certificates are configured, requests must name this server by an IP address, a loopback name, " +
            "this computer's name, or one of these names (DNS-rebinding protection). Add the DNS names load scripts use.",
        ),
    })
    .superRefine((s, ctx) => {
      const seen = new Set<string>();
      s.apiKeys.forEach((k, i) => {
        if (seen.has(k.name)) ctx.addIssue({ code: "custom", path: ["apiKeys", i, "name"], message: `duplicate key name "${k.name}"` });
        seen.add(k.name);
      });
      if (s.clientCerts.length > 0 && !s.tls?.caFile) {
        ctx.addIssue({
          code: "custom",
          path: ["clientCerts"],
          message: "client certificate rules need HTTPS with a CA: set security.tls.certFile, keyFile and caFile",
        });
      }
      if (s.tls?.requireClientCert && !s.tls.caFile) {
        ctx.addIssue({ code: "custom", path: ["tls", "requireClientCert"], message: "requireClientCert needs tls.caFile" });
      }
      if (s.statusAccess.public && s.statusAccess.requireKey) {
        ctx.addIssue({ code: "custom", path: ["statusAccess", "public"], message: "public and requireKey contradict each other: choose one" });
      }
      if (s.queryKey.enabled && s.queryKey.routes.length === 0) {
        ctx.addIssue({ code: "custom", path: ["queryKey", "routes"], message: "list the routes that may take a key in the query string" });
      }
    })
    .describe("Access control of the REST API. Without keys or certificates Steward serves loopback callers only, unless allowUnauthenticated.");
/** For tests and scripts: built on first use and kept. Steward builds it per parse (securitySchema()), so it is dropped after. */
export const SecuritySchema = z.lazy(securitySchema);

export type SecurityConfig = z.infer<ReturnType<typeof securitySchema>>;
