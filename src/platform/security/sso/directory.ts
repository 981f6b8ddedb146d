// The company directory as Steward's OpenID Connect client sees it, through openid-client: discovery from the issuer
// (kept once it succeeded; asked again at the next sign-in while it fails, with why it failed kept for the page), the
// authorization URL with PKCE, state and nonce, the code's exchange with every check of the ID token (signature by
// the directory's published keys, issuer, audience, nonce, expiry within the configured clock skew) done by the
// library, and the refresh of a session's tokens.
import type * as OpenIdClient from "openid-client";
import type { SsoConfig } from "../sso-config";
import { isLoopbackIssuer } from "../sso-config";

export interface SignInStart {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SignedIn {
  claims: Record<string, unknown>;
  idToken: string;
  refreshToken?: string;
  /** Seconds the access token lasts, when the directory said. */
  expiresIn?: number;
}

export interface Directory {
  /** Where to send a person to sign in; throws when the directory cannot be reached (lastProblem says why). */
  start(redirectUri: string): Promise<SignInStart>;
  /** Completes a sign-in from the callback's URL; throws when any check of the answer or its ID token fails. */
  finish(callbackUrl: URL, pending: { state: string; nonce: string; codeVerifier: string }): Promise<SignedIn>;
  refresh(refreshToken: string): Promise<{ refreshToken?: string; expiresIn?: number }>;
  /** The directory's sign-out page for a session's ID token, when it has one. */
  endSessionUrl(idToken: string, returnTo: string): Promise<URL | undefined>;
  /** Discovery and the signing keys, fetched now (steward doctor): what was found, or why not. */
  check(): Promise<{ ok: boolean; detail: string }>;
  /** Why the directory could not be reached the last time it was asked (cleared once it answers). */
  lastProblem(): string | undefined;
  /** The issuer and the address of its signing keys, from discovery (a logout token is checked against them). */
  keys(): Promise<{ issuer: string; jwksUri: string }>;
}

export interface DirectoryOptions {
  /** How long a request to the directory may take (default 10 s). */
  timeoutSeconds?: number;
}

/** openid-client, loaded with the first sign-in (a Steward without security.sso never loads it). */
let library: Promise<typeof OpenIdClient> | undefined;
const openIdClient = () => (library ??= import("openid-client"));

export function createDirectory(cfg: SsoConfig, opts: DirectoryOptions = {}): Directory {
  let found: Promise<{ oidc: typeof OpenIdClient; config: OpenIdClient.Configuration }> | undefined;
  let problem: string | undefined;
  const scopes = [...new Set(["openid", ...cfg.scopes])].join(" ");

  const discover = () => {
    found ??= openIdClient()
      .then(async (oidc) => ({ oidc, config: await discoverWith(oidc) }))
      .then((r) => {
        problem = undefined;
        return r;
      })
      .catch((err: unknown) => {
        found = undefined;
        problem = `the directory at ${cfg.issuer} could not be reached: ${describe(err)}`;
        throw err;
      });
    return found;
  };

  const discoverWith = async (oidc: typeof OpenIdClient) => {
    const c = await oidc.discovery(
      new URL(cfg.issuer),
      cfg.clientId,
      // Tolerance, not a shift: the directory's clock stamps the tokens, this server's checks them.
      { [oidc.clockTolerance]: Math.round(cfg.clockSkew / 1000) },
      cfg.clientSecret ? oidc.ClientSecretPost(cfg.clientSecret) : oidc.None(),
      {
        // Plain HTTP only to a directory on this machine (the config refuses it elsewhere).
        ...(isLoopbackIssuer(cfg.issuer) && new URL(cfg.issuer).protocol === "http:" ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: opts.timeoutSeconds ?? 10,
      },
    );
    // By the letter of OpenID Connect an ID token fetched from the token endpoint over TLS needs no signature check,
    // and openid-client skips it unless told: an identity team expects every token's signature checked against the
    // directory's published keys (a forged token, sso-token-attacks.test.ts, passed without it).
    oidc.enableNonRepudiationChecks(c);
    return c;
  };

  return {
    async start(redirectUri) {
      const { oidc, config } = await discover();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: scopes,
        response_type: "code",
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return { url, state, nonce, codeVerifier };
    },
    async finish(callbackUrl, pending) {
      const { oidc, config } = await discover();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error("the directory answered without an ID token");
      return {
        claims: claims as Record<string, unknown>,
        idToken: tokens.id_token,
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        ...(typeof tokens.expires_in === "number" ? { expiresIn: tokens.expires_in } : {}),
      };
    },
    async refresh(refreshToken) {
      const { oidc, config } = await discover();
      const tokens = await oidc.refreshTokenGrant(config, refreshToken);
      return {
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        ...(typeof tokens.expires_in === "number" ? { expiresIn: tokens.expires_in } : {}),
      };
    },
    async endSessionUrl(idToken, returnTo) {
      const found = await discover().catch(() => undefined);
      if (!found?.config.serverMetadata().end_session_endpoint) return undefined;
      return found.oidc.buildEndSessionUrl(found.config, { id_token_hint: idToken, post_logout_redirect_uri: returnTo });
    },
    async check() {
      try {
        const { config } = await discover();
        const jwksUri = config.serverMetadata().jwks_uri;
        if (!jwksUri) return { ok: false, detail: `${cfg.issuer} publishes no jwks_uri: ID tokens could not be checked` };
        const res = await fetch(jwksUri, { signal: AbortSignal.timeout((opts.timeoutSeconds ?? 10) * 1000) });
        const body = res.ok ? ((await res.json()) as { keys?: unknown[] }) : undefined;
        const keys = Array.isArray(body?.keys) ? body.keys.length : 0;
        if (keys === 0) return { ok: false, detail: `${jwksUri} answered ${res.status} with no signing keys` };
        return { ok: true, detail: `${cfg.issuer}: discovery read, ${keys} signing key(s) at ${jwksUri}` };
      } catch (err) {
        return { ok: false, detail: problem ?? `${cfg.issuer}: ${describe(err)}` };
      }
    },
    lastProblem: () => problem,
    async keys() {
      const meta = (await discover()).config.serverMetadata();
      if (!meta.jwks_uri) throw new Error(`${cfg.issuer} publishes no jwks_uri`);
      return { issuer: meta.issuer, jwksUri: meta.jwks_uri };
    },
  };
}

/** An error of openid-client or the network in a person's words: its message, and the cause's when it has one. */
export function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } | unknown; error?: string; error_description?: string };
  if (e?.error) return `${e.error}${e.error_description ? `: ${e.error_description}` : ""}`;
  const cause = e?.cause && typeof e.cause === "object" && "message" in e.cause ? ` (${(e.cause as { message: string }).message})` : "";
  return `${e?.message ?? String(err)}${cause}`;
}
