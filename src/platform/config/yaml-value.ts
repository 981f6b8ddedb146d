// YAML read as a plain value (a Butler config to convert, a STEWARD_* override's value) behind the same bounds as
// config files: refused before parsing when too deep or too large, duplicate keys refused in one pass.
import { parseYamlSource } from "./yaml-source";
import type { YamlBounds } from "./yaml-bounds";

/** The value of a YAML text, or a CONFIG_INVALID error naming `what`, the line and the column. */
export function parseYamlValue(text: string, what: string, bounds?: YamlBounds): unknown {
  const src = parseYamlSource(text, what, bounds);
  // parseYamlSource reads an empty document as {}; a value (an override) that is empty YAML is null.
  return src.doc.contents === null ? null : src.data;
}

/** Bounds of one environment variable's value: a setting, a short list or a small section. */
export const ENV_VALUE_BOUNDS: YamlBounds = { maxDepth: 16, maxNodes: 10_000, maxBytes: 1024 * 1024, maxAliases: 0 };
