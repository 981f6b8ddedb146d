// The assistant's answers stay bounded whatever the site holds, and "what depends on X" walks the chain once,
// nearest first, through cycles and fan-outs alike.
import { expect, test } from "bun:test";
import { ANSWER_MAX_CHARS, bounded, LIST_MAX, TEXT_MAX } from "../../../../src/show/assistant/bounds";
import { dependentsOf, type WatchdogView } from "../../../../src/show/assistant/dependents";

test("long texts are cut with a count, long lists shortened with what was left out, deep nesting flattened", () => {
  const out = bounded({ name: "x".repeat(TEXT_MAX + 10), runs: Array.from({ length: LIST_MAX + 5 }, (_, i) => i) }) as { name: string; runs: unknown[] };
  expect(out.name).toBe(`${"x".repeat(TEXT_MAX)}… (10 more characters)`);
  expect(out.runs).toHaveLength(LIST_MAX + 1);
  expect(out.runs.at(-1)).toBe("(5 more left out; narrow the request)");
  let deep: unknown = "bottom";
  for (let i = 0; i < 50; i++) deep = { a: deep };
  expect(JSON.stringify(bounded(deep))).toContain("(nested too deep; ask for one item)");
  // A thousand long names: the answer as a whole stays under its ceiling.
  const many = bounded({ tasks: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: "n".repeat(1900) })) });
  expect(JSON.stringify(many).length).toBeLessThanOrEqual(ANSWER_MAX_CHARS);
});

const task = (id: string, after: string[] = [], appId: string | null = null, afterCheckins: string[] = []) => ({
  id,
  name: `Task ${id}`,
  appId,
  afterTasks: after.map((a) => ({ id: a, name: `Task ${a}` })),
  afterCheckins,
});

test("downstream of a task, an app and a check-in, nearest first; a cycle is walked once", () => {
  const view: WatchdogView = {
    enabled: true,
    tasks: [task("a", [], "app1"), task("b", ["a"]), task("c", ["b"]), task("d", ["a", "c"]), task("e", [], null, ["erp"]), task("f", ["e", "f"])],
    checkins: [{ name: "erp", feeds: { tasks: ["Task e"], apps: [] } }],
  };
  expect(dependentsOf(view, { task: "a" }).downstream.map((d) => [d.id, d.depth, d.waitsFor])).toEqual([
    ["b", 1, ["Task a"]],
    ["d", 1, ["Task a"]],
    ["c", 2, ["Task b"]],
  ]);
  expect(dependentsOf(view, { task: "Task A" }).found).toBe(true);
  expect(dependentsOf(view, { app: "APP1" }).downstream.map((d) => d.id)).toEqual(["b", "d", "c"]);
  expect(dependentsOf(view, { checkin: "erp" }).downstream.map((d) => [d.id, d.depth])).toEqual([
    ["e", 1],
    ["f", 2],
  ]);
  expect(dependentsOf(view, { task: "nope" })).toEqual({ of: "task nope", found: false, downstream: [] });
});
