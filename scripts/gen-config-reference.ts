// Writes docs/configuration-reference.md from the config schema (and config/steward.schema.json, the editor schema
// made from the same walk). test/unit/platform/config/reference.test.ts fails while either differs from what this writes.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configJsonSchema, stewardConfigReader } from "../src/composition/config";
import { generateReferencePage, REFERENCE_PAGE, referenceSource } from "../src/platform/config/reference";

const REPO_ROOT = resolve(import.meta.dir, "..");
writeFileSync(join(REPO_ROOT, REFERENCE_PAGE), generateReferencePage(referenceSource(stewardConfigReader)));
writeFileSync(join(REPO_ROOT, "config/steward.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${REFERENCE_PAGE} and config/steward.schema.json`);
