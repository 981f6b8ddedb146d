// The JSON Schema of the config file for editors (YAML language server), generated from the zod schema.
import { z } from "zod";
import { ConfigSchema } from "./schema";

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-7", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, title: "Steward configuration", $id: "https://steward.invalid/steward.schema.json" };
}
