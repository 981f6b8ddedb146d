// A list's answer within its byte budget (src/platform/http/answer-budget.ts): rows stop once the next would pass it,
// the first row always fits, long strings are cut with a marker at any depth, a list read in chunks asks the
// store for little more than it answers, and groups under a heading count the rows they leave out.
import { expect, test } from "bun:test";
import { collectWithinBudget, cutTexts, fitAnswer, fitGroups, TEXT_CUT_MARKER } from "../../../../src/platform/http/answer-budget";

const row = (n: number, chars: number) => ({ n, text: "x".repeat(chars), nested: { lines: ["y".repeat(chars)] } });

test("strings past the cap are cut with the marker, at any depth; other values stay", () => {
  const cut = cutTexts({ a: "z".repeat(5_000), b: 7, c: null, d: [{ e: "q".repeat(3_000) }] }, 100);
  expect(cut.a).toHaveLength(100);
  expect(cut.a.endsWith(TEXT_CUT_MARKER)).toBe(true);
  expect(cut.d[0]!.e).toHaveLength(100);
  expect([cut.b, cut.c]).toEqual([7, null]);
});

test("rows are added while they fit; the first always does; truncated says rows were left out", () => {
  const rows = Array.from({ length: 100 }, (_, n) => row(n, 1_000));
  const page = fitAnswer(rows, { budget: 10_000 });
  expect(page.truncated).toBe(true);
  expect(Buffer.byteLength(JSON.stringify(page.items))).toBeLessThanOrEqual(10_000);
  expect(page.items.map((r) => r.n)).toEqual([0, 1, 2, 3]);
  expect(fitAnswer([row(0, 50_000)], { budget: 10_000 }).items).toHaveLength(1);
  expect(fitAnswer(rows.slice(0, 3), { budget: 10_000 })).toMatchObject({ truncated: false });
});

test("read in chunks: stops at the budget, the store asked for one chunk past what fits at most", async () => {
  const all = Array.from({ length: 1_000 }, (_, n) => row(n, 1_000));
  const asked: number[] = [];
  const page = await collectWithinBudget({
    limit: 500,
    chunk: 20,
    budget: 50_000,
    read: async (n, last: (typeof all)[number] | undefined) => {
      const from = last ? last.n + 1 : 0;
      asked.push(n);
      return all.slice(from, from + n);
    },
    view: (r) => r,
  });
  expect(page.truncated).toBe(true);
  expect(page.more).toBe(true);
  expect(page.last?.n).toBe(page.items.length - 1);
  expect(asked.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(page.items.length + 20);
  const end = await collectWithinBudget({
    limit: 500,
    read: async (n, last: { n: number } | undefined) => all.slice(0, 3).slice(last ? last.n + 1 : 0, n),
    view: (r) => r.n,
  });
  expect(end).toMatchObject({ items: [0, 1, 2], truncated: false, more: false });
});

test("groups: rows added while they fit, a heading only with its first row, the rows left out counted", () => {
  const groups = [
    { head: { cause: "a".repeat(5_000) }, rows: [row(0, 1_000), row(1, 1_000)] },
    { head: { cause: "b" }, rows: [] },
    { head: { cause: "c" }, rows: Array.from({ length: 10 }, (_, n) => row(10 + n, 1_000)) },
    { head: { cause: "d" }, rows: [row(30, 1_000), row(31, 1_000)] },
  ];
  const page = fitGroups(groups, { budget: 12_000, maxChars: 2_000 });
  expect(page.truncated).toBe(true);
  expect(Buffer.byteLength(JSON.stringify(page.groups))).toBeLessThanOrEqual(12_000);
  expect(page.groups[0]!.head.cause).toHaveLength(2_000);
  expect(page.groups.map((g) => [g.head.cause.slice(0, 1), g.rows.map((r) => r.n)])).toEqual([
    ["a", [0, 1]],
    ["b", []],
    ["c", [10, 11]],
  ]);
  expect(page.omitted).toBe(8 + 2);
  // A heading whose first row does not fit is left out with it: no group is shown emptier than it is.
  const tight = fitGroups([groups[0]!, { head: { cause: "e" }, rows: [row(40, 20_000)] }], { budget: 12_000, maxChars: 30_000 });
  expect(tight.groups.map((g) => g.head.cause.slice(0, 1))).toEqual(["a"]);
  expect(tight).toMatchObject({ truncated: true, omitted: 1 });
  expect(fitGroups(groups.slice(0, 2), { budget: 12_000 })).toMatchObject({ truncated: false, omitted: 0 });
});
