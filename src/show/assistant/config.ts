// Config of the assistant interface: an MCP server at /mcp on Steward's own port, off unless enabled, read-only unless
// the admin lists the actions an assistant may take (and the caller's key has their scopes too).
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";

/** What an assistant may be allowed to do, each also needing its REST route's scope on the caller's key. */
export const MCP_ACTIONS = [
  "startTask",
  "acknowledgeIncident",
  "snoozeIncident",
  "resolveIncident",
  "addSilence",
  "retryIncident",
  "rerunCancelled",
  "reloadApp",
  "restartChain",
] as const;
export type McpAction = (typeof MCP_ACTIONS)[number];

/** Each action's tool, by name: a call of one the config does not allow is refused naming the entry that allows it. */
export const ACTION_TOOLS: Readonly<Record<string, McpAction>> = {
  start_task: "startTask",
  acknowledge_incident: "acknowledgeIncident",
  snooze_incident: "snoozeIncident",
  resolve_incident: "resolveIncident",
  add_silence: "addSilence",
  retry_incident: "retryIncident",
  rerun_cancelled: "rerunCancelled",
  reload_incident_app: "reloadApp",
  restart_chain: "restartChain",
};

export const McpSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe("Serve the MCP endpoint at /mcp (behind the same keys, scopes, IP rules and audit as the REST API)."),
      allowActions: z
        .array(z.enum(MCP_ACTIONS))
        .default([])
        .describe(
          "The actions an assistant may call; empty (the default) keeps it read-only. Each also needs its scope on the caller's key: startTask, retryIncident, rerunCancelled, reloadApp and restartChain `tasks`, the others `admin`.",
        ),
    })
    .describe("The assistant interface (docs/assistants.md): Claude Desktop, VS Code or any MCP client asks what Steward knows."),
);
export type McpConfig = z.infer<typeof McpSchema>;
