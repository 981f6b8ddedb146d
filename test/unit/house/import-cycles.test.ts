// The house stays small (DESIGN.md): no import cycle in src/, type-only imports included (a cycle of types is the
// first step to a cycle of values, and makes a module impossible to read on its own).
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../../src");

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name) && !d.name.endsWith(".d.ts"))
    .map((d) => join(d.parentPath, d.name));
}

/** Relative imports and re-exports of a file, resolved to files (".ts", ".tsx", "/index.ts"). */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gm)) {
    const base = resolve(dirname(file), m[1]!);
    const found = [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((f) => existsSync(f) && /\.tsx?$/.test(f));
    if (found) out.push(found);
  }
  return out;
}

/** Strongly connected components of more than one file (Tarjan), as lists of paths relative to src/. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(relative(SRC, w));
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test("the finder sees a cycle, type-only or not", () => {
  const g = new Map([
    [`${SRC}/a.ts`, [`${SRC}/b.ts`]],
    [`${SRC}/b.ts`, [`${SRC}/a.ts`]],
    [`${SRC}/c.ts`, [`${SRC}/a.ts`]],
  ]);
  expect(cycles(g)).toEqual([["a.ts", "b.ts"]]);
  expect(importsOf(`${SRC}/x.ts`, 'import type { Config } from "./platform/config/load";\nexport { x } from "./platform/core/clock";\n')).toEqual([
    join(SRC, "platform/config/load.ts"),
    join(SRC, "platform/core/clock.ts"),
  ]);
});

test("src/ has no import cycle", () => {
  const graph = new Map<string, string[]>();
  for (const f of sourceFiles()) graph.set(f, importsOf(f, readFileSync(f, "utf8")));
  expect(graph.size).toBeGreaterThan(300);
  expect(cycles(graph)).toEqual([]);
});
