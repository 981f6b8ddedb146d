// Reads the Markdown the docs tests check: which files, their fenced code blocks, their links and the anchors
// GitHub gives their headings.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const REPO_ROOT = join(import.meta.dir, "../../..");

/** README.md, every page under docs/, bench/README.md and the benchmarks' history (bench/history/): what an administrator reads. */
export function docFiles(): string[] {
  const pages = (dir: string) =>
    readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(REPO_ROOT, dir, f))
      .sort();
  return [join(REPO_ROOT, "README.md"), ...pages("docs"), join(REPO_ROOT, "bench/README.md"), ...pages("bench/history")];
}

export const rel = (file: string) => relative(REPO_ROOT, file);

export interface CodeBlock {
  /** The info string after the opening fence, e.g. "yaml fragment". */
  info: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function codeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++)
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    blocks.push({ info: info!.trim(), body: body.join("\n"), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The text outside fenced code blocks, with each block's lines blanked (line numbers stay right). */
export function prose(text: string): string {
  const lines = text.split("\n");
  let fence: string | undefined;
  return lines
    .map((l) => {
      const m = /^\s*(`{3,})/.exec(l);
      if (fence === undefined && m) {
        fence = m[1];
        return "";
      }
      if (fence !== undefined) {
        if (l.trimStart().startsWith(fence)) fence = undefined;
        return "";
      }
      return l;
    })
    .join("\n");
}

/** Inline code spans of the prose (`…`). */
export function inlineCode(text: string): Array<{ code: string; line: number }> {
  const out: Array<{ code: string; line: number }> = [];
  prose(text)
    .split("\n")
    .forEach((l, i) => {
      for (const m of l.matchAll(/(`+)([^`]+?)\1/g)) out.push({ code: m[2]!.trim(), line: i + 1 });
    });
  return out;
}

/** Link and image targets of the prose (inline code removed first). */
export function links(text: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  prose(text)
    .split("\n")
    .forEach((l, i) => {
      const plain = l.replace(/(`+)[^`]*?\1/g, "");
      for (const m of plain.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1]!, line: i + 1 });
      for (const m of plain.matchAll(/<a\s+href="([^"]+)"/g)) out.push({ target: m[1]!, line: i + 1 });
    });
  return out;
}

/** GitHub's anchor for a heading's text: markup dropped, lower case, punctuation removed, spaces as dashes. */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .replace(/\*\*|__/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a file offers: its headings (repeats get -1, -2 … as on GitHub) and explicit <a id/name>. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const l of prose(text).split("\n")) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of l.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  }
  return out;
}

export const read = (file: string) => readFileSync(file, "utf8");
