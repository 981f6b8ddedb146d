// Every relative link in README.md, docs/ and bench/README.md leads to a file that exists, and every #anchor to a
// heading (or <a id>) of the page it names, as GitHub renders it.
import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { anchors, docFiles, links, read, rel, slug } from "./markdown";

const anchorCache = new Map<string, Set<string>>();
const anchorsOf = (file: string) => anchorCache.get(file) ?? anchorCache.set(file, anchors(read(file))).get(file)!;

function brokenLinks(file: string): string[] {
  const text = read(file);
  const broken: string[] = [];
  for (const { target, line } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …: not ours to check
    const [path, anchor] = target.split("#", 2) as [string, string | undefined];
    const where = path === "" ? file : resolve(dirname(file), decodeURI(path));
    if (!existsSync(where)) {
      broken.push(`${rel(file)}:${line} ${target}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (statSync(where).isDirectory() || !where.endsWith(".md")) {
      broken.push(`${rel(file)}:${line} ${target}: an anchor into something that is not a Markdown page`);
      continue;
    }
    if (!anchorsOf(where).has(anchor)) broken.push(`${rel(file)}:${line} ${target}: no heading with that anchor in ${rel(where)}`);
  }
  return broken;
}

describe("links in the docs", () => {
  test("the pages are there", () => {
    const names = docFiles().map(rel);
    for (const page of ["README.md", "docs/install-windows.md", "docs/troubleshooting.md", "docs/configuration-reference.md", "bench/README.md"]) {
      expect(names).toContain(page);
    }
  });

  for (const file of docFiles()) {
    test(`${rel(file)}: every relative link and anchor resolves`, () => {
      expect(brokenLinks(file)).toEqual([]);
    });
  }

  test("every repository path a page names in code (`test/…`, `src/…`, `scripts/…`, `config/…`) exists", () => {
    // The proofs the pages cite ("test/integration/…/x.test.ts sends each one"): moved files leave them naming nothing.
    const root = resolve(import.meta.dir, "../../..");
    const missing: string[] = [];
    for (const file of docFiles()) {
      for (const m of read(file).matchAll(/`((?:test|src|scripts|config|templates)\/[\w./-]+)`/g)) {
        if (!existsSync(resolve(root, m[1]!))) missing.push(`${rel(file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("the README links every page of docs/", () => {
    const readme = read(docFiles()[0]!);
    const missing = docFiles()
      .map(rel)
      .filter((f) => f.startsWith("docs/") && f !== "docs/README.md" && !readme.includes(`](${f})`) && !readme.includes(`](${f}#`));
    expect(missing).toEqual([]);
  });

  test("anchors are computed as GitHub does", () => {
    expect(slug("5. Keep secrets out of the config (secrets)")).toBe("5-keep-secrets-out-of-the-config-secrets");
    expect(slug("1. Get `steward.exe`")).toBe("1-get-stewardexe");
    expect(slug("QRS refuses Steward (401/403)")).toBe("qrs-refuses-steward-401403");
    expect(slug("`channels.*.smtp.host (type: email)`")).toBe("channelssmtphost-type-email");
    expect([...anchors('# A\n## B\n## B\n```\n## not a heading\n```\n<a id="x"></a>')]).toEqual(["a", "b", "b-1", "x"]);
    // The checker itself: a page with a broken link and a broken anchor is caught.
    const text = "# T\n[ok](#t) [bad](#nope) [gone](missing.md) `[code](ignored.md)`";
    expect(links(text).map((l) => l.target)).toEqual(["#t", "#nope", "missing.md"]);
  });
});
