// The "Differences from Butler" table (docs/switching-from-butler.md) and the conformance tests' intended differences name the
// same steps: a difference is never tested without being documented, nor documented without being tested.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DIFFERENCES } from "./butler-differences";
import { loadCorpus } from "./corpus";

const PAGE = readFileSync(join(import.meta.dir, "../../docs/switching-from-butler.md"), "utf8");

function documentedSteps(): string[] {
  const section = /^#{2,3} Differences from Butler\n([\s\S]*?)(?=^#{2,3} )/m.exec(PAGE)?.[1] ?? "";
  return [...section.matchAll(/^\| (rest|task-start) ([\d, ]+) \|/gm)].flatMap((m) => m[2]!.split(",").map((n) => `${m[1]} ${n.trim()}`));
}

test("the docs table lists exactly the steps the conformance tests treat as intended differences", () => {
  const documented = documentedSteps();
  expect(documented.length).toBeGreaterThan(0);
  expect(new Set(documented).size).toBe(documented.length);
  const tested = DIFFERENCES.flatMap((d) => d.steps.map((s) => `${d.corpus} ${s}`));
  expect([...documented].sort()).toEqual([...tested].sort());
});

test("every listed step exists in the recorded corpus", () => {
  const exists = new Set([...loadCorpus("rest").map((s) => `rest ${s.step}`), ...loadCorpus("task-start").map((s) => `task-start ${s.step}`)]);
  expect(documentedSteps().filter((s) => !exists.has(s))).toEqual([]);
});
