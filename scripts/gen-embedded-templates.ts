// Writes src/tell/notify/templates/embedded.ts from the files under templates/ (run after adding or removing one;
// a unit test fails while the list and the folder differ).
import { readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const OUT = join(import.meta.dir, "..", "src", "tell", "notify", "templates", "embedded.ts");

const root = join(import.meta.dir, "..", "templates");

/** The file as it should be checked in (a unit test compares it). */
export function embeddedTemplatesSource(): string {
  const names: string[] = [];
  for (const channel of readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort())
    for (const file of readdirSync(join(root, channel)).sort()) if (file.endsWith(".eta")) names.push(`${channel}/${file.slice(0, -".eta".length)}`);
  const lines = [
    "// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks",
    "// that every file under templates/ is listed here. Written by scripts/gen-embedded-templates.ts.",
    ...names.map((n, i) => `import t${i + 1} from "${relative(join(OUT, ".."), root)}/${n}.eta" with { type: "text" };`),
    "",
    "export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {",
    ...names.map((n, i) => `  "${n}": t${i + 1},`),
    "};",
    "",
  ];
  return lines.join("\n");
}

if (import.meta.main) {
  const text = embeddedTemplatesSource();
  writeFileSync(OUT, text);
  console.log(`embedded.ts: ${(text.match(/^import /gm) ?? []).length} templates (format with biome)`);
}
