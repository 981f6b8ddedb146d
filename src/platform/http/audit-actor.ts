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
