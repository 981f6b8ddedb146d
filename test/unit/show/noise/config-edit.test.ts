import { describe, expect, test } from "bun:test";
import { applyEdit, lineDiff } from "../../../../src/show/noise/config-edit";

const FILE = `# Steward on sense1 (the ops team owns this file)
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1 }, to: [ops@corp.example] }
routes:
  # paged at night
  - name: on-call
    on: [task.failed, task.aborted, task.recovered]
    to: [ops-mail] # the shared mailbox
`;

describe("applyEdit", () => {
  test("sets a route's pageAfter by inserting one line: every other line stays as written", () => {
    const out = applyEdit(FILE, { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "1d" } });
    expect(out).toBe(`${FILE}    pageAfter: { failures: 2, within: 1d }\n`);
    expect(lineDiff(FILE, out, "steward.yaml")).toBe(
      "--- steward.yaml\n+++ steward.yaml (proposed)\n@@ line 7\n      on: [task.failed, task.aborted, task.recovered]\n      to: [ops-mail] # the shared mailbox\n+     pageAfter: { failures: 2, within: 1d }\n  ",
    );
  });

  test("appends to a list, making the section when the file has none, and to the list it made", () => {
    const out = applyEdit(FILE, { op: "append", path: ["incidents", "pageAfter"], value: { taskNames: ["Reload Sales"], failures: 2, within: "1d" } });
    expect(out).toBe(`${FILE}incidents:\n  pageAfter:\n    - taskNames:\n        - Reload Sales\n      failures: 2\n      within: 1d\n`);
    const twice = applyEdit(out, { op: "append", path: ["incidents", "pageAfter"], value: { taskNames: ["HR"], failures: 3, within: "2h" } });
    expect(twice).toBe(`${out}    - taskNames:\n        - HR\n      failures: 3\n      within: 2h\n`);
  });

  test("a flow list is rewritten through the document, keeping its comment", () => {
    const out = applyEdit("maintenance:\n  windows: [] # none yet\n", { op: "append", path: ["maintenance", "windows"], value: { name: "q", duration: "2h" } });
    expect(out).toBe("maintenance:\n  windows: [ { name: q, duration: 2h } ] # none yet\n");
  });

  test("refuses an edit whose place changed since the proposal was made (the routes were reordered)", () => {
    const edit = { op: "set" as const, path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } };
    expect(applyEdit(FILE, { ...edit, guard: { path: ["routes", 0, "name"], value: "on-call" } })).toContain("pageAfter");
    expect(() => applyEdit(FILE, { ...edit, guard: { path: ["routes", 0, "name"], value: "night" } })).toThrow(
      'the config file changed since Steward loaded it (routes.0.name is not "night"): reload it first',
    );
  });

  test("refuses a file whose shape does not allow the change, naming where", () => {
    expect(() => applyEdit("routes: {}\n", { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2 } })).toThrow("routes is not a list");
  });

  test("an empty file gets the section", () => {
    expect(applyEdit("", { op: "set", path: ["freshness", "promises", "p"], value: { appNames: ["Sales"], freshBy: "06:00" } })).toBe(
      "freshness:\n  promises:\n    p:\n      appNames:\n        - Sales\n      freshBy: 06:00\n",
    );
  });
});

describe("lineDiff", () => {
  test("shows the changed lines with context, and nothing for equal texts", () => {
    expect(lineDiff("a\nb\nc\nd\n", "a\nb\nX\nd\n", "f")).toBe("--- f\n+++ f (proposed)\n@@ line 1\n  a\n  b\n- c\n+ X\n  d\n  ");
    expect(lineDiff("a\n", "a\n")).toBe("");
  });
});
