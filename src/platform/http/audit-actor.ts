// The audit actor of an HTTP request: the authenticated principal and the caller's address.
import type { Context } from "hono";
import type { AuditActor } from "../audit/audit-log";
import type { HttpEnv } from "./types";

export function auditActorOf(c: Context<HttpEnv>): AuditActor {
  const p = c.get("principal");
  const ip = c.env?.remoteAddress;
  return { kind: p?.kind ?? "anonymous", name: p?.name ?? "anonymous", ...(ip ? { ip } : {}) };
}
