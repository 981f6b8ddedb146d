// One MCP request answered from the catalog: initialize (the revision negotiated), ping, the tools, the documentation
// pages and the prompts. A method Steward does not serve is -32601; a request whose params do not fit is -32602; a
// tool's arguments that do not fit its schema are the tool's error (isError), which the assistant can correct.
import { type Catalog, describePrompt, describeTool, issuesText, type ToolResult } from "./catalog";
import { type Params, negotiateVersion, RpcCode, RpcFailure } from "./protocol";
import { ACTION_TOOLS } from "./config";

export interface ServerInfo {
  name: string;
  title: string;
  version: string;
  instructions: string;
}

type Handler = (params: Params, catalog: Catalog, info: ServerInfo) => Promise<object> | object;

const text = (v: unknown, what: string, max = 2_000): string => {
  if (typeof v !== "string" || v.length === 0) throw new RpcFailure(RpcCode.invalidParams, `Invalid params: ${what} is a non-empty string`);
  if (v.length > max) throw new RpcFailure(RpcCode.invalidParams, `Invalid params: ${what} is longer than ${max} characters`);
  return v;
};
const objectOrNone = (v: unknown, what: string): Record<string, unknown> => {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new RpcFailure(RpcCode.invalidParams, `Invalid params: ${what} is an object`);
  return v as Record<string, unknown>;
};
const quoted = (name: string) => JSON.stringify(name.slice(0, 100));

const HANDLERS: Record<string, Handler> = {
  initialize: (params, _catalog, info) => ({
    protocolVersion: negotiateVersion(text(params.protocolVersion, "protocolVersion", 100)),
    // Nothing changes during a request and nothing is pushed: no listChanged, no subscriptions.
    capabilities: { tools: {}, resources: {}, prompts: {} },
    serverInfo: { name: info.name, title: info.title, version: info.version },
    instructions: info.instructions,
  }),
  ping: () => ({}),
  "tools/list": (_params, catalog) => ({ tools: catalog.tools.map(describeTool) }),
  "tools/call": (params, catalog) => callTool(params, catalog),
  "prompts/list": (_params, catalog) => ({ prompts: catalog.prompts.map(describePrompt) }),
  "prompts/get": (params, catalog) => {
    const name = text(params.name, "name", 200);
    const prompt = catalog.prompts.find((p) => p.name === name);
    if (!prompt) throw new RpcFailure(RpcCode.invalidParams, `Unknown prompt ${quoted(name)}; prompts/list names the prompts there are`);
    const args = prompt.args.safeParse(objectOrNone(params.arguments, "arguments"));
    if (!args.success) throw new RpcFailure(RpcCode.invalidParams, `Invalid arguments for prompt ${name}: ${issuesText(args.error)}`);
    return { description: prompt.description, ...prompt.get(args.data) };
  },
  "resources/list": async (_params, catalog) => ({ resources: (await Promise.all(catalog.templates.map((t) => t.list()))).flat() }),
  "resources/templates/list": (_params, catalog) => ({
    resourceTemplates: catalog.templates.map((t) => ({
      uriTemplate: `${t.prefix}{${t.variable}}`,
      name: t.name,
      title: t.title,
      description: t.description,
      mimeType: t.mimeType,
    })),
  }),
  "resources/read": (params, catalog) => {
    const uri = text(params.uri, "uri");
    const template = catalog.templates.find((t) => uri.startsWith(t.prefix));
    if (!template) throw new RpcFailure(RpcCode.resourceNotFound, `Resource not found: ${quoted(uri)}; resources/list names the pages there are`);
    return template.read(uri, uri.slice(template.prefix.length));
  },
};

async function callTool(params: Params, catalog: Catalog): Promise<ToolResult> {
  const name = text(params.name, "name", 200);
  const tool = catalog.tools.find((t) => t.name === name);
  if (!tool && ACTION_TOOLS[name] !== undefined)
    throw new RpcFailure(
      RpcCode.invalidParams,
      `The tool ${quoted(name)} is an action this Steward does not allow: its config's mcp.allowActions must list ${ACTION_TOOLS[name]} (docs/assistants.md); until then the assistant only reads`,
    );
  if (!tool) throw new RpcFailure(RpcCode.invalidParams, `Unknown tool ${quoted(name)}; tools/list names the tools this key may use`);
  const args = tool.input.safeParse(objectOrNone(params.arguments, "arguments"));
  if (!args.success) return { isError: true, content: [{ type: "text", text: `Invalid arguments for tool ${name}: ${issuesText(args.error)}` }] };
  try {
    return await tool.run(args.data);
  } catch (err) {
    return { isError: true, content: [{ type: "text", text: `${name} failed: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

/** The result of one request, or throws RpcFailure with the error to answer it with. */
export async function dispatch(method: string, params: Params | undefined, catalog: Catalog, info: ServerInfo): Promise<object> {
  const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method] : undefined;
  if (!handler) throw new RpcFailure(RpcCode.methodNotFound, `Method not found: ${quoted(method)}`);
  return handler(params ?? {}, catalog, info);
}
