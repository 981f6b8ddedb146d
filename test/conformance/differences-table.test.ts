// The differences table (docs/switching-from-butler.md) and the conformance tests' list of intended differences name
// the same steps: a difference is never tested without being documented, nor documented without being tested.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DIFFERENCES } from "./butler-differences";
import { loadCorpus } from "./corpus";

const ROOT = join(import.meta.dir, "../..");
const DOC = readFileSync(join(ROOT, "docs/switching-from-butler.md"), "utf8");

/** The steps a "Differences from Butler" section lists (`| rest 26, 28 |` rows), or undefined without one. */
function documentedSteps(text: string): string[] | undefined {
  const section = /^#{2,3} Differences from Butler\n([\s\S]*?)(?=^#{1,3} |(?![\s\S]))/m.exec(text)?.[1];
  if (section === undefined) return undefined;
  return [...section.matchAll(/^\| (rest|task-start|subs) ([\d, ]+) \|/gm)].flatMap((m) => m[2]!.split(",").map((n) => `${m[1]} ${n.trim()}`));
}

const tested = () => DIFFERENCES.flatMap((d) => d.steps.map((s) => `${d.corpus} ${s}`)).sort();

test("docs/switching-from-butler.md lists exactly the steps the conformance tests treat as intended differences", () => {
  const documented = documentedSteps(DOC) ?? [];
  expect(documented.length).toBeGreaterThan(0);
  expect(new Set(documented).size).toBe(documented.length);
  expect([...documented].sort()).toEqual(tested());
});

test("every listed step exists in the recorded corpus", () => {
  const exists = new Set((["rest", "task-start", "subs"] as const).flatMap((c) => loadCorpus(c).map((s) => `${c} ${s.step}`)));
  expect((documentedSteps(DOC) ?? []).filter((s) => !exists.has(s))).toEqual([]);
});
