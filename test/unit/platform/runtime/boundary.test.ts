// The runtime boundary: only src/platform/runtime names Bun or Deno, and nothing Bun-only is imported statically where
// Deno loads the module graph (bun:* modules are reached by dynamic import inside src/platform/runtime/bun only).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** The code without comments (a comment may explain a runtime's behaviour by name). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const files = sourceFiles(SRC).map((p) => ({ path: relative(SRC, p).replace(/\\/g, "/"), text: code(readFileSync(p, "utf8")) }));

describe("runtime boundary", () => {
  test("outside src/platform/runtime no code names Bun. or Deno. or imports a bun: module", () => {
    const offenders = files
      .filter((f) => !f.path.startsWith("platform/runtime/"))
      .flatMap((f) =>
        f.text
          .split("\n")
          .map((line, i) => ({ line, at: `${f.path}:${i + 1}` }))
          .filter(({ line }) => /\b(Bun|Deno)\.|["']bun(:[a-z]+)?["']|import\.meta\.dir\b/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  test("bun:ffi is imported only by the Bun implementation's Windows modules, which are loaded dynamically", () => {
    const importers = files
      .filter((f) => /from\s+["']bun:/.test(f.text))
      .map((f) => f.path)
      .sort();
    expect(importers).toEqual(["platform/runtime/bun/win32-event-log.ts", "platform/runtime/bun/win32-service.ts"]);
    const bunIndex = files.find((f) => f.path === "platform/runtime/bun/index.ts")!.text;
    expect(bunIndex).not.toMatch(/^import[^;]*["']\.\/win32-/m);
    expect(bunIndex).toContain('await import("./win32-service")');
    // The entry of each runtime is reached by a dynamic import only, so Deno never evaluates Bun's.
    const index = files.find((f) => f.path === "platform/runtime/index.ts")!.text;
    expect(index).not.toMatch(/^import[^;]*["']\.\/(bun|deno)\//m);
  });
});
