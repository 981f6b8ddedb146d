// The JSON Schema of the config file for editors (YAML language server), generated from the zod schema.
import { z } from "zod";

/**
 * The file is checked as written, before ${env:…} placeholders are replaced: a URL written as
 * "${env:SLACK_HOOK}" is not a URI, so `format: uri` would flag every such line in an editor. Steward itself
 * checks the URL after the substitution; the schema keeps saying what the field is in its description.
 */
function dropUriFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropUriFormats);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "format" && v === "uri") continue;
    out[k] = dropUriFormats(v);
  }
  return out;
}

/** The JSON Schema of a config schema, as an editor checks the file. */
export function configJsonSchema(configSchema: z.ZodType): Record<string, unknown> {
  const schema = dropUriFormats(z.toJSONSchema(configSchema, { io: "input", target: "draft-7", unrepresentable: "any" })) as Record<string, unknown>;
  return { ...schema, title: "Steward configuration", $id: "https://steward.invalid/steward.schema.json" };
}
