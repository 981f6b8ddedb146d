// /mcp on Steward's own port: the assistant interface, behind the same keys, scopes, IP rules and audit as the REST
// API. Reading needs the read scope (or admin); an action also needs its own route's scope and mcp.allowActions.
// The MCP server (server.ts and what it imports) is loaded with the first request, so a Steward that never serves one
// does not load it.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Router } from "../../platform/http/route";
import type { Hono } from "hono";
import type { HttpEnv } from "../../platform/http/types";
import type { McpConfig } from "./config";

export function registerMcpRoute(router: Router, deps: { hono: Hono<HttpEnv>; audit: AuditLog; config: () => McpConfig }): void {
  router.route(
    {
      method: "post",
      path: "/mcp",
      summary: "The MCP endpoint (streamable HTTP, stateless): tools over incidents, causes, runs, the watchdog, freshness, chains and reports",
      description: "JSON-RPC 2.0 for MCP clients (docs/assistants.md); not a REST route. Read-only unless mcp.allowActions lists actions.",
      tags: ["Assistants"],
      scope: "read",
      hidden: true,
      responses: { 200: { description: "the JSON-RPC answer" }, 202: { description: "a notification, taken" } },
    },
    async (c) => (await import("./server")).answerMcp(c, deps),
  );
  router.route(
    {
      method: ["get", "delete"],
      path: "/mcp",
      summary: "MCP's server-sent stream and session end: not offered (stateless)",
      tags: ["Assistants"],
      scope: "read",
      hidden: true,
      responses: { 405: { description: "Use POST" } },
    },
    (c) =>
      c.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this server is stateless; send requests with POST" }, id: null }, 405, {
        Allow: "POST",
      }),
  );
}
