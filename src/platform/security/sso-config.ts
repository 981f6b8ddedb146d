// Config of single sign-on (security.sso): the company directory's OpenID Connect issuer, Steward's client there, the
// claim that carries a person's groups, and which groups (or claim values) give which of Steward's scopes.
import { z } from "zod";
import { DurationSchema } from "../core/duration";

/** Steward's path the directory sends a person back to: http.publicUrl + this is the redirect URI to register. */
const TOKEN_KEY_LENGTH = "must be at least 32 characters: the directory's tokens kept in the store are encrypted with a key derived from it";

export const SSO_CALLBACK_PATH = "/auth/callback";

const roleSchema = (grantable: readonly [string, ...string[]]) =>
  z
    .strictObject({
      group: z.string().min(1).max(256).optional().describe("A value of the group claim (a group's name or, with Entra ID, its object id)."),
      claim: z.string().min(1).max(128).optional().describe("Another claim of the ID token to match instead of the group claim (e.g. roles)."),
      equals: z.string().min(1).max(256).optional().describe("The value `claim` must hold (one of its values, when it is a list)."),
      scopes: z
        .array(z.enum(grantable))
        .min(1)
        .describe(
          "Steward scopes this group gives: read, status, tasks, apps, schedules, admin, … (admin implies all; acknowledging needs admin, as for a key).",
        ),
    })
    .superRefine((r, ctx) => {
      if ((r.group === undefined) === (r.claim === undefined))
        ctx.addIssue({ code: "custom", path: ["group"], message: "give either group, or claim with equals" });
      if (r.claim !== undefined && r.equals === undefined) ctx.addIssue({ code: "custom", path: ["equals"], message: "a claim rule needs equals" });
    });

/** `grantable`: Steward's grantable scopes (security/config.ts), handed in so the two config modules do not import each other. */
export const ssoSchema = (grantable: readonly [string, ...string[]]) =>
  z
    .strictObject({
      issuer: z
        .url({ protocol: /^https?$/, error: "must be the directory's issuer URL, e.g. https://login.microsoftonline.com/<tenant>/v2.0" })
        .describe("The OpenID Connect issuer; Steward reads <issuer>/.well-known/openid-configuration. HTTP only on loopback (tests).")
        .meta({ examples: ["https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"] }),
      clientId: z.string().min(1).max(256).describe("Steward's client (application) id at the directory."),
      clientSecret: z
        .string()
        .min(1)
        .optional()
        .describe("The client secret; use ${env:NAME} or ${file:PATH}. Without one Steward signs in as a public client (PKCE only)."),
      scopes: z
        .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "an OAuth scope: printable characters without spaces or quotes"))
        .default(["openid", "profile", "email"])
        .describe("Scopes asked for at sign-in (openid is always added). Add offline_access for a refresh token, and groups where the directory needs it."),
      groupClaim: z
        .string()
        .min(1)
        .max(128)
        .default("groups")
        .describe("The ID token claim that lists a person's groups (Entra ID and Okta: groups; ADFS: group or role claim)."),
      roles: z
        .array(roleSchema(grantable))
        .default([])
        .describe("Which directory groups (or claim values) give which Steward scopes. A person matching none is refused at sign-in."),
      sessionLifetime: DurationSchema.prefault("24h").describe(
        "How long a sign-in lasts at most, however busy, on every Steward of the cluster; then the person signs in again.",
      ),
      idleTimeout: DurationSchema.prefault("8h").describe(
        "A session with no request for this long ends, on every Steward of the cluster (a browser left open overnight signs in again).",
      ),
      tokenKey: z
        .string()
        // A refinement, not .min(): the editor's schema checks the file as written, where ${env:NAME} is shorter than its key.
        .refine((k) => k.length >= 32, TOKEN_KEY_LENGTH)
        .optional()
        .describe(
          "The secret the directory's tokens are encrypted with in the store (AES-GCM; ${env:NAME} or ${file:PATH}, the same on every Steward of a cluster). Without it the client secret is used.",
        ),
      previousTokenKeys: z
        .array(z.string().refine((k) => k.length >= 32, TOKEN_KEY_LENGTH))
        .max(5)
        .default([])
        .describe("Token keys being rotated out: sessions sealed with them still open, and are sealed again with tokenKey at their next refresh."),
      backChannelLogout: z
        .boolean()
        .default(true)
        .describe(
          "Accept the directory's back-channel logout at <publicUrl>/auth/backchannel-logout: a sign-out at the directory ends the person's sessions here.",
        ),
      clockSkew: DurationSchema.prefault("60s").describe("How far the directory's clock may be from this server's when the ID token's times are checked."),
      requireForActions: z
        .boolean()
        .default(false)
        .describe("Alert links (acknowledge, snooze, retry, …) act only for a signed-in person, named by the directory. Two-person approvals always need it."),
      label: z.string().min(1).max(64).default("your company account").describe('Shown on the sign-in button: "Sign in with <label>".'),
    })
    .describe(
      "Single sign-on with the company directory (OpenID Connect: Entra ID, ADFS, Okta, Keycloak) for the dashboard, /status and alert links. Needs http.publicUrl; API keys keep working for machines.",
    );

export type SsoConfig = z.infer<ReturnType<typeof ssoSchema>>;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An issuer Steward may talk to over plain HTTP: one on this machine (a test directory), never one across a network. */
export const isLoopbackIssuer = (issuer: string): boolean => LOOPBACK_HOSTS.has(new URL(issuer).hostname);

/**
 * The config's cross-section rules of security.sso, the usual mistakes of a set-up: no public URL to come back to, a
 * plain-HTTP public URL (the session cookie would cross the network in clear), a public URL with a query, alert links
 * on another address than the one people sign in at (the session cookie is not sent there), no role (nobody could
 * sign in), and plain HTTP to the directory.
 */
export function checkSsoReferences(
  cfg: { security: { sso?: SsoConfig | undefined }; http: { publicUrl?: string | undefined }; actionLinks?: { publicBaseUrl?: string | undefined } },
  ctx: z.RefinementCtx,
): void {
  const sso = cfg.security.sso;
  if (!sso) return;
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: "custom", path, message });
  const publicUrl = cfg.http.publicUrl;
  if (!publicUrl)
    issue(["http", "publicUrl"], `single sign-on (security.sso) needs http.publicUrl: the directory sends people back to <publicUrl>${SSO_CALLBACK_PATH}`);
  else publicUrlProblems(publicUrl, cfg.actionLinks?.publicBaseUrl, issue);
  if (sso.roles.length === 0)
    issue(
      ["security", "sso", "roles"],
      "no role maps a directory group to a Steward scope: nobody could sign in. Add e.g. { group: qlik-admins, scopes: [admin] }",
    );
  if (!sso.tokenKey && !sso.clientSecret)
    issue(
      ["security", "sso", "tokenKey"],
      "a public client (no clientSecret) needs security.sso.tokenKey: the directory's tokens are kept encrypted in the store with a key derived from it. Give a random secret of 32 characters or more, e.g. ${env:STEWARD_SSO_TOKEN_KEY}",
    );
  if (sso.idleTimeout > sso.sessionLifetime)
    issue(["security", "sso", "idleTimeout"], "the idle timeout is longer than sessionLifetime, so it would never end a session: make it shorter");
  if (new URL(sso.issuer).protocol === "http:" && !isLoopbackIssuer(sso.issuer))
    issue(["security", "sso", "issuer"], "the issuer must be an https:// URL: tokens and keys are never fetched over plain HTTP from another machine");
}

function publicUrlProblems(publicUrl: string, linksUrl: string | undefined, issue: (path: Array<string | number>, message: string) => void): void {
  const url = new URL(publicUrl);
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname))
    issue(
      ["http", "publicUrl"],
      "single sign-on needs an https:// public URL: the session cookie would cross the network in clear text. Serve HTTPS (security.tls) or put Steward behind a proxy that does",
    );
  if (url.search || url.hash)
    issue(["http", "publicUrl"], `the public URL takes no query or fragment: the directory's redirect URI is <publicUrl>${SSO_CALLBACK_PATH}`);
  if (linksUrl && new URL(linksUrl).origin !== url.origin)
    issue(
      ["actionLinks", "publicBaseUrl"],
      `alert links point to ${new URL(linksUrl).origin} but people sign in at ${url.origin} (http.publicUrl): a signed-in person's cookie is not sent with a link. Leave actionLinks.publicBaseUrl out or give it the same address`,
    );
}

/** What `config check` and the doctor say of single sign-on: what to register at the directory. */
export function ssoSetUpNote(cfg: { security: { sso?: SsoConfig | undefined }; http: { publicUrl?: string | undefined } }): string | undefined {
  const sso = cfg.security.sso;
  if (!sso || !cfg.http.publicUrl) return undefined;
  const base = cfg.http.publicUrl.replace(/\/+$/, "");
  const byGroup = sso.roles.some((r) => r.group !== undefined);
  return (
    `Single sign-on: register the redirect URI ${base}${SSO_CALLBACK_PATH} (and the sign-out return ${base}/auth/signed-out${sso.backChannelLogout ? `, and the back-channel logout URI ${base}/auth/backchannel-logout` : ""}) for client ${sso.clientId} at ${sso.issuer}` +
    (byGroup ? `; its ID tokens must carry the person's groups in the "${sso.groupClaim}" claim (docs/single-sign-on.md says how for each directory)` : "") +
    ". `steward doctor` reads the directory's discovery and keys."
  );
}
