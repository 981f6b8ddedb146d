// The configuration reference: every key of the schema with type, default, description and an example, as the
// Markdown page docs/configuration-reference.md and as `steward config explain KEY`.
import fullYamlText from "../../../../config/full.yaml" with { type: "text" };
import { parseExampleSource } from "./examples";
import type { ConfigReader, ConfigShape } from "../load";
import { renderReferencePage } from "./render";
import { type ReferenceSource, referenceSourceOf } from "./source";

export { referenceEntries, describeType, type ReferenceEntry, type SchemaNode } from "./entries";
export { exampleFor, exampleYaml, type Example } from "./examples";
export { renderEntryText, renderReferencePage, anchorOf, REFERENCE_PAGE, REGENERATE_COMMAND } from "./render";
export { explainKey, type Explanation } from "./explain";
export type { ReferenceSource } from "./source";

/** config/full.yaml as data: the source of most examples (embedded, so the binary explains keys too). */
export function exampleSource(): unknown {
  return parseExampleSource(fullYamlText);
}

/** The reference of the config `reader` reads, with config/full.yaml's examples. */
export function referenceSource(reader: ConfigReader<ConfigShape>): ReferenceSource {
  return referenceSourceOf(reader, exampleSource());
}

/** The reference page as it should be checked in. */
export function generateReferencePage(src: ReferenceSource): string {
  return renderReferencePage(src);
}
