// The assistant interface (MCP at /mcp): off unless mcp.enabled.
export { MCP_ACTIONS, type McpAction, type McpConfig, McpSchema } from "./config";
export { registerMcpRoute } from "./http-route";
