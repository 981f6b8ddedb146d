// What the reference is rendered from: the keys (read off a config's JSON Schema), the full example config the
// examples come from, and whether an example is a whole config on its own (the config reader says).
import type { ConfigReader, ConfigShape } from "../load";
import { referenceEntries, type ReferenceEntry, type SchemaNode } from "./entries";

export interface ReferenceSource {
  entries: ReferenceEntry[];
  /** config/full.yaml as data: the source of most examples. */
  fullYaml: unknown;
  /**
   * Whether an example is a whole config `steward config check` accepts. Many are not: a route needs its channel, a
   * PostgreSQL setting its URL. Those are labelled fragments, the docs' convention for a part of a config.
   */
  standsAlone(example: string): boolean;
}

/** Any ${env:NAME} is set, to the name itself: an example is judged on its keys, not on this machine's variables. */
const ANY_VARIABLE = new Proxy({} as Record<string, string>, { get: (_t, name) => (typeof name === "string" ? name : undefined) });

function standsAlone(reader: ConfigReader<ConfigShape>, example: string): boolean {
  try {
    reader.parseConfigText(example, "example.yaml", "/", { env: ANY_VARIABLE });
    return true;
  } catch {
    return false;
  }
}

/** The reference of the config `reader` reads, with the examples of `fullYaml`. */
export function referenceSourceOf(reader: ConfigReader<ConfigShape>, fullYaml: unknown): ReferenceSource {
  // The page asks this of hundreds of examples: one schema for all of them.
  const batch = reader.keepingSchema();
  return {
    entries: referenceEntries(reader.configJsonSchema() as SchemaNode),
    fullYaml,
    standsAlone: (example) => standsAlone(batch, example),
  };
}
