// The assistant interface reads every wing through Steward's own REST API (so it is wired after them) and may act
// only through the same routes, with the caller's key.
import type { AuditLog } from "../platform/audit/audit-log";
import type { HttpApp } from "../platform/http/app";
import { type McpConfig, registerMcpRoute } from "../show/assistant";
import type { Config } from "./config";

export function wireAssistant(config: Config, http: HttpApp, audit: AuditLog, current: () => Config): void {
  if (!config.mcp?.enabled) return;
  const initial: McpConfig = config.mcp;
  registerMcpRoute(http.router, { hono: http.hono, audit, config: () => current().mcp ?? initial });
}
