// What one /mcp request offers, as data: the tools (name, description, zod input, what runs), the prompts and the
// documentation pages. Registered per request, for that caller; listed and looked up by dispatch.ts. The tools'
// JSON Schemas are zod 4's own (z.toJSONSchema), so a tool is declared once.
import { z } from "zod";

export interface TextContent {
  type: "text";
  text: string;
}
/** A tool's answer: text for every client, the same facts structured for those that read them. */
export interface ToolResult {
  content: TextContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}
export interface PromptMessage {
  role: "user" | "assistant";
  content: TextContent;
}
export interface PromptResult {
  messages: PromptMessage[];
}
export interface ResourceEntry {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}
export interface ResourceContents {
  contents: Array<{ uri: string; mimeType?: string; text: string }>;
}

type Shape = Record<string, z.ZodType>;
type Args<S extends Shape> = z.output<z.ZodObject<S>>;

export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject<Shape>;
  annotations: ToolAnnotations;
  run(args: unknown): Promise<ToolResult> | ToolResult;
}
export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  args: z.ZodObject<Shape>;
  get(args: unknown): PromptResult;
}
/** Pages under one URI template with a single variable, e.g. steward-docs://{page}. */
export interface ResourceTemplateDefinition {
  name: string;
  /** The URI up to the variable, e.g. "steward-docs://". */
  prefix: string;
  variable: string;
  title: string;
  description: string;
  mimeType: string;
  list(): Promise<ResourceEntry[]>;
  /** The page named by the rest of the URI; throws RpcFailure(resourceNotFound) when there is none. */
  read(uri: string, name: string): Promise<ResourceContents>;
}

export interface Catalog {
  tools: ToolDefinition[];
  prompts: PromptDefinition[];
  templates: ResourceTemplateDefinition[];
  registerTool<S extends Shape>(
    name: string,
    meta: { title: string; description: string; inputSchema: S; annotations: ToolAnnotations },
    run: (args: Args<S>) => Promise<ToolResult> | ToolResult,
  ): void;
  registerPrompt<S extends Shape>(name: string, meta: { title: string; description: string; argsSchema: S }, get: (args: Args<S>) => PromptResult): void;
  registerResourceTemplate(template: ResourceTemplateDefinition): void;
}

export function createCatalog(): Catalog {
  const catalog: Catalog = {
    tools: [],
    prompts: [],
    templates: [],
    registerTool(name, meta, run) {
      const input = z.object(meta.inputSchema);
      catalog.tools.push({ name, title: meta.title, description: meta.description, input, annotations: meta.annotations, run: (a) => run(a as never) });
    },
    registerPrompt(name, meta, get) {
      catalog.prompts.push({ name, title: meta.title, description: meta.description, args: z.object(meta.argsSchema), get: (a) => get(a as never) });
    },
    registerResourceTemplate(template) {
      catalog.templates.push(template);
    },
  };
  return catalog;
}

/** tools/list's entry of a tool: its input as JSON Schema (draft-07, as the input side: defaults make a key optional). */
export function describeTool(t: ToolDefinition): object {
  const inputSchema = z.toJSONSchema(t.input, { target: "draft-7", io: "input", unrepresentable: "any" });
  return { name: t.name, title: t.title, description: t.description, inputSchema, annotations: t.annotations };
}

/** prompts/list's entry of a prompt: its arguments by name, with their descriptions and whether they are needed. */
export function describePrompt(p: PromptDefinition): object {
  const args = Object.entries(p.args.shape).map(([name, schema]) => ({
    name,
    ...(schema.description ? { description: schema.description } : {}),
    required: !schema.safeParse(undefined).success,
  }));
  return { name: p.name, title: p.title, description: p.description, arguments: args };
}

/** A zod failure as one line an assistant can correct its call from: each problem with where it is. */
export function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.message} at ${i.path.join(".")}` : i.message))
    .join("; ")
    .slice(0, 1_000);
}
