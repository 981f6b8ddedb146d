// The site fixture: the default site's coverage, and errors that name file, line:column and YAML path.
import { describe, expect, test } from "bun:test";
import { Lexer } from "yaml";
import { DEFAULT_SITE_YAML, parseSite, SimError } from "../../../src/sim";

function errorOf(yaml: string): string[] {
  try {
    parseSite(yaml, "site.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return (e as SimError).details as string[];
  }
  throw new Error("expected the site to be rejected");
}

const BASE = `nodes:
  - name: N1
    hostName: n1.example
users:
  - { userDirectory: CORP, userId: anna, email: anna@corp.example }
tags: [T1]
customProperties:
  - { name: Group, choiceValues: [a, b], objectTypes: [ReloadTask] }
apps:
  - { name: App 1, owner: CORP\\anna }
`;

describe("sim site: the default site", () => {
  const site = parseSite(DEFAULT_SITE_YAML, "config/sim-site.yaml");
  test("has ≥2 nodes, ≥12 apps, ≥20 tasks across all five types", () => {
    expect(site.nodes.length).toBeGreaterThanOrEqual(2);
    expect(site.apps.length).toBeGreaterThanOrEqual(12);
    expect(site.tasks.length).toBeGreaterThanOrEqual(20);
    expect(new Set(site.tasks.map((t) => t.taskType))).toEqual(new Set([0, 1, 2, 3, 4]));
  });
  test("carries the seeds' tags and custom properties, emails, failing tasks with script errors, awkward names", () => {
    expect(site.tags.map((t) => t.name)).toEqual(expect.arrayContaining(["Butler 5.0 demo", "startTask1"]));
    const cp = (n: string) => site.cpDefs.find((d) => d.name === n);
    expect(cp("taskGroup")?.choiceValues).toContain("financial-reports");
    expect(cp("Butler_SuccessReloadTask_InfluxDB")).toBeDefined();
    expect(site.users.filter((u) => u.emails.length > 0).length).toBeGreaterThanOrEqual(5);
    const failing = site.tasks.filter((t) => t.outcome === "fail" && t.taskType === 0);
    expect(failing.some((t) => t.scriptError?.startsWith("Cannot open file"))).toBe(true);
    expect(site.tasks.some((t) => t.name.includes(";"))).toBe(true);
    expect(site.tasks.some((t) => t.name === "Nightly – Försäljning")).toBe(true);
    expect(site.tasks.some((t) => t.enabled === false)).toBe(true);
    expect(site.tasks.some((t) => t.outcome === "abort")).toBe(true);
    expect(site.tasks.some((t) => typeof t.outcome === "object")).toBe(true);
    expect(site.tasks.some((t) => t.schedule !== undefined)).toBe(true);
  });
  test("ids are stable across loads and lower-case", () => {
    const again = parseSite(DEFAULT_SITE_YAML);
    expect(again.tasks.map((t) => t.id)).toEqual(site.tasks.map((t) => t.id));
    expect(site.tasks.every((t) => t.id === t.id.toLowerCase())).toBe(true);
  });
  test("each load is a model of its own: a simulator that changes its site changes no other's", () => {
    // parseSite keeps the models it made (a parse of this site costs ~60 ms, the suite starts hundreds of simulators).
    const first = parseSite(DEFAULT_SITE_YAML, "own.yaml");
    const want = structuredClone(first);
    first.tasks[0]!.name = "changed by the first simulator";
    first.tasks.pop();
    first.nodes.push(structuredClone(first.nodes[0]!));
    const second = parseSite(DEFAULT_SITE_YAML, "own.yaml");
    expect(second).toEqual(want);
    expect(second).not.toBe(first);
    second.apps.length = 0;
    expect(parseSite(DEFAULT_SITE_YAML, "own.yaml")).toEqual(want);
  });
});

describe("sim site: errors with line:column", () => {
  test("a minimal valid site loads", () => {
    const s = parseSite(`${BASE}tasks:\n  - { name: R, type: reload, app: App 1, customProperties: { Group: a } }\n`);
    expect(s.tasks[0]!.cps[0]!.value).toBe("a");
    expect(s.apps[0]!.ownerId).toBe(s.users[0]!.id);
  });
  test("unknown key points at the key", () => {
    expect(errorOf(`${BASE}tasks:\n  - name: R\n    type: reload\n    app: App 1\n    colour: red\n`)).toEqual([
      "site.yaml:15:5 tasks[0].colour: unknown key 'colour'",
    ]);
  });
  test("wrong type and unknown task type", () => {
    const errs = errorOf(`${BASE}tasks:\n  - { name: R, type: reload, app: App 1, maxRetries: lots }\n  - { name: S, type: rerun }\n`);
    expect(errs[0]).toMatch(/^site\.yaml:12:54 tasks\[0\]\.maxRetries: /);
    expect(errs[1]).toMatch(/^site\.yaml:13:22 tasks\[1\]\.type: /);
  });
  test("unresolved references: app, owner, tag, custom property, choice value, node", () => {
    const errs = errorOf(`${BASE}tasks:
  - name: R
    type: reload
    app: Nope
    node: N9
    tags: [T1, T2]
    customProperties: { Group: c, Other: x }
`);
    expect(errs).toEqual([
      "site.yaml:15:11 tasks[0].node: unknown node 'N9'",
      "site.yaml:14:10 tasks[0].app: unknown app 'Nope' (use an app name or id from apps)",
      "site.yaml:16:16 tasks[0].tags[1]: unknown tag 'T2' (declare it under tags)",
      "site.yaml:17:32 tasks[0].customProperties.Group: value 'c' is not one of Group's choiceValues (a, b)",
      "site.yaml:17:42 tasks[0].customProperties.Other: unknown custom property 'Other' (declare it under customProperties)",
    ]);
    expect(errorOf(BASE.replace("CORP\\anna }", "CORP\\bob }"))[0]).toBe(
      "site.yaml:10:27 apps[0].owner: unknown owner 'CORP\\bob' (write DIRECTORY\\userid of a user under users)",
    );
  });
  test("a custom property on the wrong object type, a bad cron, a duplicate name", () => {
    const errs = errorOf(`${BASE}tasks:
  - { name: X, type: externalProgram, path: x.exe, customProperties: { Group: a } }
  - { name: Y, type: userSync, userDirectory: CORP, schedule: "61 * * * *" }
  - { name: Y, type: userSync, userDirectory: CORP }
`);
    expect(errs[0]).toContain("tasks[0].customProperties.Group: custom property 'Group' does not apply to ExternalProgramTask");
    expect(errs[1]).toMatch(/^site\.yaml:13:63 tasks\[1\]\.schedule: invalid cron expression '61 \* \* \* \*'/);
    expect(errs[2]).toMatch(/^site\.yaml:14:\d+ tasks\[2\]\.name: duplicate task name 'Y' \(also at tasks\[1\]\)$/);
  });
  test("a schema trigger whose filter the Scheduler cannot read is an error at the trigger, not a trigger that never fires", () => {
    const errs = errorOf(`${BASE}tasks:
  - name: X
    type: externalProgram
    path: x.exe
    triggers:
      - { type: schema, name: Weekdays, incrementOption: weekly, startDate: "2026-01-05T06:00:00", schemaFilterDescription: "* * - 1-7 1 * * *" }
`);
    expect(errs[0]).toMatch(/^site\.yaml:\d+:\d+ tasks\[0\]\.triggers\[0\]: weekday '1-7' is not a list of 0–6 \(mark the trigger unreadable: true/);
  });
  test("YAML syntax errors carry a position; a site without nodes is rejected", () => {
    expect(errorOf("nodes: [\n")[0]).toMatch(/^site\.yaml:\d+:\d+ /);
    expect(errorOf("apps: []\n")[0]).toBe("site.yaml:1:1 nodes: Invalid input: expected array, received undefined");
  });
});

test("a site file is read once: the model is composed from the tokens its bounds were checked on", () => {
  const lex = Lexer.prototype.lex;
  let lexed = 0;
  Lexer.prototype.lex = function (this: Lexer, ...args: Parameters<Lexer["lex"]>) {
    lexed++;
    return lex.apply(this, args);
  };
  try {
    // A name of its own: parseSite keeps the models of the last few texts it read.
    parseSite(DEFAULT_SITE_YAML, "read-once.yaml");
  } finally {
    Lexer.prototype.lex = lex;
  }
  // The bounds' quick pass over sizes, then one lexing for the parse and its depth bound (three before).
  expect(lexed).toBe(2);
});
