import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { applyEdit, lineDiff } from "../../../../src/show/noise/config-edit";
import type { ConfigEdit } from "../../../../src/show/noise/types";

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

  test("an empty flow list gets the entry written into it, keeping its comment", () => {
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
      'freshness:\n  promises:\n    p:\n      appNames:\n        - Sales\n      freshBy: "06:00"\n',
    );
  });
});

// Issue 88 point 2: apply changes the lines of the change and nothing else, comments, spacing and anchors included.
const WRITTEN = `# Steward on sense1 (the ops team owns this file)
channels:
  ops-mail: &mail { type: email,smtp: {host: 127.0.0.1},   to: [ops@corp.example] }   # spacing as written
  backup:   *mail                # the same mailbox, twice
routes:
  # paged at night
  - name: on-call
    on:   [ task.failed,task.aborted,   task.recovered ]   # spacing as written
    to: [ops-mail]               # aligned
    renotify: every              # Butler's habit
  - &day { name: day, on: [task.failed],  to: [backup] }   # the day shift
incidents:
  pageAfter:
    - { taskIds: [t-hr], failures: 3, within: 2h }       # HR is flaky
maintenance:
  windows: []       # none yet
`;

/** The lines taken out and put in: every byte before and after them is the file as it was. */
function changed(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

describe("applyEdit changes the lines of the change only", () => {
  const cases: Array<[string, ConfigEdit, { removed: string[]; added: string[] }]> = [
    [
      "a value that is there (renotify: every) is replaced where it stands, its comment in its column",
      { op: "set", path: ["routes", 0, "renotify"], value: "once", guard: { path: ["routes", 0, "name"], value: "on-call" } },
      { removed: ["    renotify: every              # Butler's habit"], added: ["    renotify: once               # Butler's habit"] },
    ],
    [
      "a key a block map lacks is one line more",
      { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } },
      { removed: [], added: ["    pageAfter: { failures: 2, within: 12h }"] },
    ],
    [
      "a key a flow map with an anchor lacks goes into it, on its line",
      { op: "set", path: ["routes", 1, "pageAfter"], value: { failures: 2, within: "1h" } },
      {
        removed: ["  - &day { name: day, on: [task.failed],  to: [backup] }   # the day shift"],
        added: ["  - &day { name: day, on: [task.failed],  to: [backup], pageAfter: { failures: 2, within: 1h } }   # the day shift"],
      },
    ],
    [
      "an entry of a block list of flow maps is one line more",
      { op: "append", path: ["incidents", "pageAfter"], value: { taskIds: ["t-sales"], failures: 2, within: "12h" } },
      { removed: [], added: ["    - { taskIds: [ t-sales ], failures: 2, within: 12h }"] },
    ],
    [
      "an entry of an empty flow list goes into it",
      { op: "append", path: ["maintenance", "windows"], value: { name: "quiet Sales", rrule: "FREQ=DAILY;BYHOUR=2", duration: "2h" } },
      {
        removed: ["  windows: []       # none yet"],
        added: ["  windows: [ { name: quiet Sales, rrule: FREQ=DAILY;BYHOUR=2, duration: 2h } ]       # none yet"],
      },
    ],
    [
      "a section the file lacks goes at its end, times quoted as written",
      { op: "set", path: ["freshness", "promises", "noise-sales"], value: { appNames: ["Sales"], freshBy: "02:00", timeZone: "Europe/Stockholm" } },
      {
        removed: [],
        added: [
          "freshness:",
          "  promises:",
          "    noise-sales:",
          "      appNames:",
          "        - Sales",
          '      freshBy: "02:00"',
          "      timeZone: Europe/Stockholm",
        ],
      },
    ],
  ];
  for (const [name, edit, want] of cases) {
    test(name, () => {
      const out = applyEdit(WRITTEN, edit);
      expect(changed(WRITTEN, out)).toEqual(want);
      // The review shows exactly those lines.
      const diff = lineDiff(WRITTEN, out, "steward.yaml").split("\n");
      expect(diff.filter((l) => l.startsWith("- "))).toEqual(want.removed.map((l) => `- ${l}`));
      expect(diff.filter((l) => l.startsWith("+ "))).toEqual(want.added.map((l) => `+ ${l}`));
      // The anchor and its alias still read as one channel.
      expect(parse(out).channels.backup).toEqual(parse(WRITTEN).channels["ops-mail"]);
    });
  }

  test("a file saved on Windows (CRLF) gets CRLF lines, every other byte kept", () => {
    const crlf = WRITTEN.replace(/\n/g, "\r\n");
    const route = applyEdit(crlf, { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } });
    expect(route).toBe(applyEdit(WRITTEN, { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } }).replace(/\n/g, "\r\n"));
    const section = applyEdit(crlf, { op: "set", path: ["freshness", "promises", "p"], value: { appNames: ["Sales"], freshBy: "06:00" } });
    expect(section.startsWith(crlf)).toBe(true);
    expect(section.slice(crlf.length).replace(/\r\n/g, "")).not.toContain("\n");
  });

  test("a change that cannot be made without touching other lines is refused, naming what to add by hand", () => {
    const block = "routes:\n  - name: on-call\n    pageAfter:\n      failures: 3\n      within: 1h\n";
    expect(() => applyEdit(block, { op: "set", path: ["routes", 0, "pageAfter"], value: { failures: 2, within: "12h" } })).toThrow(
      "routes.0.pageAfter cannot be written into this file without changing other lines; make the change by hand: { failures: 2, within: 12h }",
    );
  });
});

describe("lineDiff", () => {
  test("shows the changed lines with context, and nothing for equal texts", () => {
    expect(lineDiff("a\nb\nc\nd\n", "a\nb\nX\nd\n", "f")).toBe("--- f\n+++ f (proposed)\n@@ line 1\n  a\n  b\n- c\n+ X\n  d\n  ");
    expect(lineDiff("a\n", "a\n")).toBe("");
  });
});
