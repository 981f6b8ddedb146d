// The shipped docs: every page under docs/ is embedded, renders, and every link between pages (and to a heading)
// lands on a page and an anchor that exist.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createDocsLibrary } from "../../../../src/show/help/docs-library";
import { EMBEDDED_DOCS } from "../../../../src/show/help/embedded-docs";

const DOCS = join(import.meta.dir, "../../../../docs");

describe("embedded docs", () => {
  test("list every page of docs/ (scripts/gen-embedded-docs.ts writes the list)", () => {
    const files = readdirSync(DOCS)
      .filter((f) => f.endsWith(".md"))
      .map((f) => f.slice(0, -3))
      .sort();
    expect(Object.keys(EMBEDDED_DOCS).sort()).toEqual(files);
  });

  test("every page has a title and every link to another page or heading resolves", () => {
    const lib = createDocsLibrary(EMBEDDED_DOCS);
    const broken: string[] = [];
    for (const slug of lib.slugs()) {
      const page = lib.page(slug)!;
      expect({ slug, title: page.title.length > 0 }).toEqual({ slug, title: true });
      for (const m of page.html.matchAll(/href="\/help(?:\/([\w-]+))?(?:#([^"]*))?"/g)) {
        const target = lib.page(m[1] || "README");
        if (!target) broken.push(`${slug} → ${m[1]}`);
        else if (m[2] && !target.headings.some((h) => h.id === m[2])) broken.push(`${slug} → ${m[1] || "README"}#${m[2]}`);
      }
      for (const m of page.html.matchAll(/href="#([^"]*)"/g)) {
        if (!page.headings.some((h) => h.id === m[1])) broken.push(`${slug} → #${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("every /help link in Steward's messages and pages names a page and a heading that exist", () => {
    const lib = createDocsLibrary(EMBEDDED_DOCS);
    const src = join(import.meta.dir, "../../../../src");
    const files = readdirSync(src, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && /\.tsx?$/.test(d.name));
    const links: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(join(f.parentPath, f.name), "utf8").matchAll(/\/help\/([a-z][\w-]*)(?:#([\w-]+))?/g)) {
        if (m[1] === "search") continue;
        const page = lib.page(m[1]!);
        const ok = Boolean(page) && (!m[2] || page!.headings.some((h) => h.id === m[2]));
        links.push(`${f.name}: ${m[0]} ${ok ? "ok" : "BROKEN"}`);
      }
    }
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((l) => l.endsWith("BROKEN"))).toEqual([]);
  });

  test("search finds the page about a word, best match first, with a snippet", () => {
    const hits = createDocsLibrary(EMBEDDED_DOCS).search("watchdog missed");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.slug).toBe("watchdog");
    expect(hits[0]!.snippet.toLowerCase()).toContain("watchdog");
    expect(createDocsLibrary(EMBEDDED_DOCS).search("zzqqxx-not-a-word")).toEqual([]);
  });
});

test("scripts/gen-embedded-docs.ts writes the imports the checked-in list has (its paths follow the house)", async () => {
  const { embeddedDocsSource } = await import("../../../../scripts/gen-embedded-docs");
  const imports = (text: string) => text.split("\n").filter((l) => l.startsWith("import d"));
  const checkedIn = readFileSync(join(import.meta.dir, "../../../../src/show/help/embedded-docs.ts"), "utf8");
  expect(imports(embeddedDocsSource())).toEqual(imports(checkedIn));
});
