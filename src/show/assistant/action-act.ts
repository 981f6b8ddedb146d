// What every assistant action shares: who calls (the key, its scopes) and the one path that checks the scope and
// audits the call, done, failed or refused.
import type { AuditActor, AuditLog } from "../../platform/audit/audit-log";
import type { Principal, Scope } from "../../platform/http/types";
import { grants } from "../../platform/security/policy";
import type { ToolResult } from "./catalog";
import type { McpAction } from "./config";
import { errorAnswer, type StewardApi } from "./steward-api";

export interface ActionContext {
  api: StewardApi;
  allowed: readonly McpAction[];
  principal: Principal;
  actor: AuditActor;
  audit: AuditLog;
}

export const ACTION = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;

/** Runs an action when the key may: audited as done, failed or refused, with the tool's name and its target. */
export async function act(x: ActionContext, tool: string, scope: Scope, target: string, run: () => Promise<ToolResult>): Promise<ToolResult> {
  const entry = { actor: x.actor, action: "mcp.action", target: `${tool} ${target}` };
  if (!grants(x.principal.scopes, scope, "POST")) {
    x.audit.record({ ...entry, result: "denied", details: { tool, scope, why: `${x.principal.name} lacks scope "${scope}"` } });
    return errorAnswer(`refused: ${x.principal.name} lacks the scope "${scope}" that ${tool} needs`);
  }
  const answer = await run();
  x.audit.record({ ...entry, result: answer.isError ? "failed" : "ok", details: { tool, scope } });
  return answer;
}
