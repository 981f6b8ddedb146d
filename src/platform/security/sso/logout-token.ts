// The check of an OpenID Connect back-channel logout token (OpenID Connect Back-Channel Logout 1.0, section 2.6), done
// by jose: its signature by the directory's published keys, issuer, audience (Steward's client), issue time within the
// clock skew; then what makes it a logout token and not another token of the directory: the back-channel logout
// event, a sid or a sub, no nonce, and a jti (its replay is refused by the caller, across the cluster).
import type * as Jose from "jose";

export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** How old a logout token may be: the directory sends it as the person signs out there. */
const MAX_AGE_SECONDS = 300;

export interface LogoutClaims {
  sid?: string;
  sub?: string;
  jti: string;
  /** When Steward may forget its jti (ms): past it, the token is too old to be taken anyway. */
  forgetAt: number;
}

/**
 * Raised with what a directory's administrator can act on; the route answers it as a 400. `fromDirectory`: the
 * token's signature, issuer and audience passed, so the directory itself sent it (worth a row in the audit log); a
 * token that fails them could come from anyone on the network, as often as they like.
 */
export class LogoutTokenError extends Error {
  constructor(
    message: string,
    readonly fromDirectory = true,
  ) {
    super(message);
  }
}

/** jose, loaded with the first logout token (a Steward without single sign-on never loads it). */
let library: Promise<typeof Jose> | undefined;
const jose = () => (library ??= import("jose"));

export interface LogoutTokenChecker {
  check(token: string): Promise<LogoutClaims>;
}

/** `keysOf`: the directory's issuer and its jwks_uri (from discovery), asked when a token comes. */
export function createLogoutTokenChecker(o: {
  clientId: string;
  clockSkewMs: number;
  now: () => number;
  keysOf: () => Promise<{ issuer: string; jwksUri: string }>;
}): LogoutTokenChecker {
  let keySet: { uri: string; get: Jose.JWTVerifyGetKey } | undefined;
  return {
    async check(token) {
      const j = await jose();
      const { issuer, jwksUri } = await o.keysOf();
      if (keySet?.uri !== jwksUri) keySet = { uri: jwksUri, get: j.createRemoteJWKSet(new URL(jwksUri)) };
      let payload: Jose.JWTPayload;
      try {
        ({ payload } = await j.jwtVerify(token, keySet.get, {
          issuer,
          audience: o.clientId,
          clockTolerance: Math.round(o.clockSkewMs / 1000),
          maxTokenAge: MAX_AGE_SECONDS,
          currentDate: new Date(o.now()),
        }));
      } catch (err) {
        throw new LogoutTokenError(`the logout token was refused: ${(err as Error).message}`, false);
      }
      const events = payload.events as Record<string, unknown> | undefined;
      const event = events && typeof events === "object" ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
      if (!event || typeof event !== "object") throw new LogoutTokenError(`the token carries no ${BACKCHANNEL_LOGOUT_EVENT} event: it is not a logout token`);
      if ("nonce" in payload) throw new LogoutTokenError("the token carries a nonce: a logout token never does (an ID token was sent)");
      const sid = typeof payload.sid === "string" && payload.sid !== "" ? payload.sid : undefined;
      const sub = typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
      if (!sid && !sub) throw new LogoutTokenError("the logout token names neither a sid nor a sub");
      if (typeof payload.jti !== "string" || payload.jti === "") throw new LogoutTokenError("the logout token has no jti");
      const forgetAt = ((payload.iat ?? 0) + MAX_AGE_SECONDS) * 1000 + o.clockSkewMs;
      return { ...(sid ? { sid } : {}), ...(sub ? { sub } : {}), jti: payload.jti, forgetAt };
    },
  };
}
