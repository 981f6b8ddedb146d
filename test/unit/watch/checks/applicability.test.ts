// Which checks apply after a reload: any attachment matching the app or the reload task, names compared as the
// QMC does (case-insensitively), and the StewardChecks custom property naming sets or checks, on the app or the
// task, one value each or a comma list; values that name nothing are found for a warning.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { applicableChecks, unknownSets, type CheckTarget } from "../../../../src/watch/checks/applicability";

const { config } = parseConfigText(
  `qlik: { host: h }
dataChecks:
  checks:
    - { name: by-name, expression: "1", expect: "> 0", apps: [sales DASHBOARD] }
    - { name: by-id, expression: "1", expect: "> 0", apps: [0B2E1AB4-0F3C-4B1E-9D0A-6F2D7D3A9C11] }
    - { name: by-tag, expression: "1", expect: "> 0", appTags: [finance] }
    - { name: by-stream, expression: "1", expect: "> 0", streams: [sales] }
    - { name: by-cp, expression: "1", expect: "> 0", appCustomProperties: [{ name: department, value: SALES }] }
    - { name: by-task, expression: "1", expect: "> 0", tasks: [reload sales dashboard] }
    - { name: by-task-tag, expression: "1", expect: "> 0", taskTags: [NIGHTLY] }
    - { name: in-set-a, expression: "1", expect: "> 0", sets: [a] }
    - { name: in-set-b, expression: "1", expect: "> 0", sets: [b] }
    - { name: named-only, expression: "1", expect: "> 0", sets: [z] }
`,
  "t.yaml",
  "/tmp",
);
const cfg = config.dataChecks!;
const names = (t: CheckTarget) => applicableChecks(cfg, t).map((c) => c.name);
const app = (extra: Partial<CheckTarget["app"]> = {}): CheckTarget["app"] => ({
  id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  name: "Other",
  tags: [],
  customProperties: [],
  ...extra,
});

test("app attachments: id, name, tag, stream, custom property", () => {
  expect(names({ app: app() })).toEqual(["by-id"]);
  expect(
    names({
      app: { ...app({ name: "Sales Dashboard", tags: ["Finance"], stream: "Sales", customProperties: [{ name: "Department", value: "Sales" }] }), id: "x" },
    }),
  ).toEqual(["by-name", "by-tag", "by-stream", "by-cp"]);
});

test("task attachments apply only with the task", () => {
  const task = { id: "t", name: "Reload Sales Dashboard", tags: ["Nightly"], customProperties: [] };
  expect(names({ app: { ...app(), id: "x" }, task })).toEqual(["by-task", "by-task-tag"]);
  expect(names({ app: { ...app(), id: "x" } })).toEqual([]);
});

test("StewardChecks on the app or the task names sets or single checks; a comma list names several", () => {
  expect(names({ app: { ...app({ customProperties: [{ name: "stewardchecks", value: "A" }] }), id: "x" } })).toEqual(["in-set-a"]);
  const task = { id: "t", name: "T", tags: [], customProperties: [{ name: "StewardChecks", value: "b, named-only" }] };
  expect(names({ app: { ...app(), id: "x" }, task })).toEqual(["in-set-b", "named-only"]);
  expect(unknownSets(cfg, { app: { ...app({ customProperties: [{ name: "StewardChecks", value: "a, sael" }] }), id: "x" } })).toEqual(["sael"]);
});
