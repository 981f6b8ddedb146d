// Writes src/show/help/embedded-docs.ts from the pages in docs/ (run after adding or removing a page; a unit test fails
// while the list and the folder differ), so the binary carries its own documentation for /help.
import { readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const OUT = join(import.meta.dir, "..", "src", "show", "help", "embedded-docs.ts");

const root = join(import.meta.dir, "..", "docs");

/** The file as it should be checked in (a unit test compares it). */
export function embeddedDocsSource(): string {
  const names = readdirSync(root)
    .filter((f) => f.endsWith(".md"))
    .map((f) => f.slice(0, -".md".length))
    .sort();
  const lines = [
    "// Steward's documentation pages, embedded in the binary at build time (static text imports) and served at /help.",
    "// A unit test checks that every page under docs/ is listed here. Written by scripts/gen-embedded-docs.ts.",
    ...names.map((n, i) => `import d${i + 1} from "${relative(join(OUT, ".."), root)}/${n}.md" with { type: "text" };`),
    "",
    "export const EMBEDDED_DOCS: Readonly<Record<string, string>> = {",
    ...names.map((n, i) => `  ${/^[A-Za-z_$][\w$]*$/.test(n) ? n : `"${n}"`}: d${i + 1},`),
    "};",
    "",
  ];
  return lines.join("\n");
}

if (import.meta.main) {
  writeFileSync(OUT, embeddedDocsSource());
  console.log(`embedded-docs.ts: ${(embeddedDocsSource().match(/^import /gm) ?? []).length} pages`);
}
