// The audit actor of an HTTP request: the authenticated principal and the caller's address: the TCP peer, or the
// address a trusted proxy forwarded (set by the security middleware); never a header any client can write.
import type { Context } from "hono";
import type { AuditActor } from "../audit/audit-log";
import type { HttpEnv } from "./types";
import { principalOf } from "./request-state";

/** "METHOD /path" of a request for the audit and logs, a secret in the path (a check-in key) shown as ***. */
export function auditTargetOf(c: Context<HttpEnv>): string {
  return `${c.req.method} ${auditPathOf(c)}`;
}

export function auditPathOf(c: Context<HttpEnv>): string {
  return c.get("auditPath") ?? c.req.path;
}

export function auditActorOf(c: Context<HttpEnv>): AuditActor {
  const p = principalOf(c);
  const ip = c.get("clientAddress") ?? c.env?.remoteAddress;
  return { kind: p?.kind ?? "anonymous", name: p?.name ?? "anonymous", ...(ip ? { ip } : {}) };
}

/**
 * Whether the caller is a verified identity: an API key, a client certificate rule, or a person signed in with the
 * company directory (security.sso) names it. A caller without a key
 * that security.anonymous lets through (a node, loopback) is nobody in particular: it may act, but never counts as one
 * of the two people an approval needs.
 */
export function isVerifiedActor(actor: AuditActor): boolean {
  return actor.kind === "apiKey" || actor.kind === "clientCert" || actor.kind === "sso";
}
