// Writes real output of a test run into the docs (UPDATE_DOCS_EXAMPLES=1): a block of a Markdown page between
// `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` is replaced, so examples are never written by hand.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

export const updateDocsExamples = process.env.UPDATE_DOCS_EXAMPLES === "1";
const ROOT = join(import.meta.dir, "../..");

export function replaceGeneratedBlock(page: string, name: string, body: string): void {
  const file = join(ROOT, page);
  const text = readFileSync(file, "utf8");
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${page} has no ${open} … ${close} block`);
  writeFileSync(file, `${text.slice(0, a + open.length)}\n${body.trimEnd()}\n${text.slice(b)}`);
}

export function writeDocsFile(path: string, body: string): void {
  const file = join(ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
}
