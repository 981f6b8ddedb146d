// Writes docs/configuration-reference.md from the config schema (and config/steward.schema.json, the editor schema
// made from the same walk). test/unit/platform/config/reference.test.ts fails while either differs from what this writes.
// Also src/composition/config-defaults.json, the defaults of the blocks a file leaves out (section-defaults.test.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configJsonSchema, SECTION_DEFAULTS_FILE, stewardConfigReader } from "../src/composition/config";
import { sectionDefaults } from "../src/composition/config-schema";
import { generateReferencePage, REFERENCE_PAGE, referenceSource } from "../src/platform/config/reference";

const REPO_ROOT = resolve(import.meta.dir, "..");
const defaultsFile = join(REPO_ROOT, SECTION_DEFAULTS_FILE);
const defaults = `${JSON.stringify(sectionDefaults(), null, 2)}\n`;
if (readFileSync(defaultsFile, "utf8") !== defaults) {
  // The reference's examples are parsed with the defaults this process loaded: write them, then start again on them.
  writeFileSync(defaultsFile, defaults);
  console.log(`wrote ${SECTION_DEFAULTS_FILE}; writing the reference on them`);
  process.exit(Bun.spawnSync([process.execPath, import.meta.path], { stdout: "inherit", stderr: "inherit" }).exitCode ?? 1);
}
writeFileSync(join(REPO_ROOT, REFERENCE_PAGE), generateReferencePage(referenceSource(stewardConfigReader)));
writeFileSync(join(REPO_ROOT, "config/steward.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${REFERENCE_PAGE} and config/steward.schema.json`);
