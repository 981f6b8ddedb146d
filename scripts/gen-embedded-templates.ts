// Writes src/tell/notify/templates/embedded.ts from the files under templates/ (run after adding or removing one;
// a unit test fails while the list and the folder differ).
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "templates");
const names: string[] = [];
for (const channel of readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort())
  for (const file of readdirSync(join(root, channel)).sort()) if (file.endsWith(".eta")) names.push(`${channel}/${file.slice(0, -".eta".length)}`);
const lines = [
  "// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks",
  "// that every file under templates/ is listed here. Written by scripts/gen-embedded-templates.ts.",
  ...names.map((n, i) => `import t${i + 1} from "../../../templates/${n}.eta" with { type: "text" };`),
  "",
  "export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {",
  ...names.map((n, i) => `  "${n}": t${i + 1},`),
  "};",
  "",
];
writeFileSync(join(import.meta.dir, "..", "src", "notify", "templates", "embedded.ts"), lines.join("\n"));
console.log(`embedded.ts: ${names.length} templates`);
