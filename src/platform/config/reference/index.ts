// The configuration reference: every key of the schema with type, default, description and an example, as the
// Markdown page docs/configuration-reference.md and as `steward config explain KEY`.
import fullYamlText from "../../../../config/full.yaml" with { type: "text" };
import { referenceEntries, type ReferenceEntry } from "./entries";
import { parseExampleSource } from "./examples";
import { renderReferencePage } from "./render";

export { referenceEntries, describeType, type ReferenceEntry, type SchemaNode } from "./entries";
export { exampleFor, exampleYaml, type Example } from "./examples";
export { renderEntryText, renderReferencePage, anchorOf, REFERENCE_PAGE, REGENERATE_COMMAND } from "./render";
export { explainKey, type Explanation } from "./explain";

/** config/full.yaml as data: the source of most examples (embedded, so the binary explains keys too). */
export function exampleSource(): unknown {
  return parseExampleSource(fullYamlText);
}

/** The reference page as it should be checked in. */
export function generateReferencePage(entries: ReferenceEntry[] = referenceEntries()): string {
  return renderReferencePage(entries, exampleSource());
}
