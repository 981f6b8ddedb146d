// The QRS filter language on plain entities: every operator, and/or/parentheses, quoting, any-element, errors.
import { describe, expect, test } from "bun:test";
import { applyFilter, FilterSyntaxError, filterErrorText, parseFilter } from "../../../src/sim/filter";

const tasks = [
  {
    id: "7552d9fc-d1bb-4975-9a38-18357de531ea",
    name: "Reload Sales dashboard",
    taskType: 0,
    enabled: true,
    maxRetries: 0,
    modifiedDate: "2025-10-01T12:00:00.000Z",
    app: { id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", name: "Sales dashboard", stream: { name: "Sales" } },
    tags: [{ name: "Butler 5.0 demo" }, { name: "startTask1" }],
    customProperties: [
      { value: "financial-reports", definition: { name: "taskGroup" } },
      { value: "Yes", definition: { name: "Butler_SuccessReloadTask_InfluxDB" } },
    ],
  },
  {
    id: "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23",
    name: "Nightly – Försäljning",
    taskType: 0,
    enabled: false,
    maxRetries: 2,
    modifiedDate: "2025-06-01T12:00:00.000Z",
    app: { id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", name: "Försäljning", stream: null },
    tags: [{ name: "Nightly" }],
    customProperties: [{ value: "No", definition: { name: "Butler_SuccessReloadTask_InfluxDB" } }],
  },
  {
    id: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098",
    name: "User sync CORP; it's Joe's",
    taskType: 2,
    enabled: true,
    maxRetries: 5,
    modifiedDate: "2024-01-01T00:00:00.000Z",
    tags: [],
    customProperties: [],
  },
];

const names = (expr: string) => applyFilter(tasks, expr).map((t) => t.name);

describe("sim filter: operators", () => {
  test("eq on a GUID (unquoted, any case) and on a quoted string", () => {
    expect(names("id eq 7552d9fc-d1bb-4975-9a38-18357de531ea")).toEqual(["Reload Sales dashboard"]);
    expect(names("id eq 7552D9FC-D1BB-4975-9A38-18357DE531EA")).toEqual(["Reload Sales dashboard"]);
    expect(names("name eq 'reload sales DASHBOARD'")).toEqual(["Reload Sales dashboard"]);
  });
  test("ne, gt, ge, lt, le on numbers", () => {
    expect(names("maxRetries ne 0")).toEqual(["Nightly – Försäljning", "User sync CORP; it's Joe's"]);
    expect(names("maxRetries gt 2")).toEqual(["User sync CORP; it's Joe's"]);
    expect(names("maxRetries ge 2")).toEqual(["Nightly – Försäljning", "User sync CORP; it's Joe's"]);
    expect(names("maxRetries lt 2")).toEqual(["Reload Sales dashboard"]);
    expect(names("maxRetries le 2")).toEqual(["Reload Sales dashboard", "Nightly – Försäljning"]);
  });
  test("gt/lt on quoted dates compare as dates", () => {
    expect(names("modifiedDate le '2025-08-01T23:59:59.999Z'")).toEqual(["Nightly – Försäljning", "User sync CORP; it's Joe's"]);
    expect(names("modifiedDate gt '2025-08-01'")).toEqual(["Reload Sales dashboard"]);
  });
  test("sw, ew, so are case-insensitive and work on non-ASCII", () => {
    expect(names("name sw 'RELOAD'")).toEqual(["Reload Sales dashboard"]);
    expect(names("name ew 'FÖRSÄLJNING'")).toEqual(["Nightly – Försäljning"]);
    expect(names("name so 'sales'")).toEqual(["Reload Sales dashboard"]);
    expect(names("maxRetries sw '0'")).toEqual([]);
  });
  test("booleans, null and enum names", () => {
    expect(names("enabled eq false")).toEqual(["Nightly – Försäljning"]);
    expect(names("enabled eq TRUE")).toEqual(["Reload Sales dashboard", "User sync CORP; it's Joe's"]);
    expect(names("app eq null")).toEqual(["User sync CORP; it's Joe's"]);
    expect(names("app.stream eq null")).toEqual(["Nightly – Försäljning", "User sync CORP; it's Joe's"]);
    expect(names("app ne null")).toEqual(["Reload Sales dashboard", "Nightly – Försäljning"]);
    expect(names("taskType eq UserSync")).toEqual(["User sync CORP; it's Joe's"]);
  });
});

describe("sim filter: structure", () => {
  test("and binds tighter than or; parentheses override", () => {
    expect(names("taskType eq 2 or enabled eq true and maxRetries eq 2")).toEqual(["User sync CORP; it's Joe's"]);
    expect(names("(taskType eq 2 or enabled eq true) and maxRetries eq 0")).toEqual(["Reload Sales dashboard"]);
    expect(names("((name sw 'nightly')) OR (id eq 6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098)")).toEqual(["Nightly – Försäljning", "User sync CORP; it's Joe's"]);
  });
  test("quoted strings with '' escapes and ; inside", () => {
    expect(names("name eq 'User sync CORP; it''s Joe''s'")).toEqual(["User sync CORP; it's Joe's"]);
  });
  test("any-element semantics on collections, each predicate on its own", () => {
    expect(names("tags.name eq 'startTask1'")).toEqual(["Reload Sales dashboard"]);
    expect(names("(customProperties.definition.name eq 'taskGroup') and (customProperties.value eq 'financial-reports')")).toEqual(["Reload Sales dashboard"]);
    // Two predicates may be satisfied by different CP entries.
    expect(names("customProperties.definition.name eq 'taskGroup' and customProperties.value eq 'Yes'")).toEqual(["Reload Sales dashboard"]);
    expect(
      names(
        "id eq 7552d9fc-d1bb-4975-9a38-18357de531ea and customProperties.definition.name eq 'Butler_SuccessReloadTask_InfluxDB' and customProperties.value eq 'yes'",
      ),
    ).toEqual(["Reload Sales dashboard"]);
  });
  test("paths and operators are case-insensitive", () => {
    expect(names("TAGS.NAME EQ 'nightly'")).toEqual(["Nightly – Försäljning"]);
    expect(names("App.Name Eq 'försäljning'")).toEqual(["Nightly – Försäljning"]);
  });
  test("any-element on an array of strings", () => {
    const defs = [
      { name: "a", objectTypes: ["App", "ReloadTask"] },
      { name: "b", objectTypes: ["User"] },
    ];
    expect(applyFilter(defs, "objectTypes eq 'reloadtask'").map((d) => d.name)).toEqual(["a"]);
  });
});

describe("sim filter: errors", () => {
  const bad = [
    "",
    "name eq",
    "name 'x'",
    "name eq 'unterminated",
    "(name eq 'x'",
    "name eq 'x')",
    "name eq 'x' and",
    "name eq 'x' name eq 'y'",
    "name like 'x'",
    'name eq "x"',
    "name eq 2025-08-01",
    "and eq 'x'",
    "name eq 'x' && id eq 1",
  ];
  for (const expr of bad) {
    test(`rejects ${JSON.stringify(expr)}`, () => {
      expect(() => applyFilter(tasks, expr)).toThrow(FilterSyntaxError);
    });
  }
  test("unknown property is a parse error when entities exist", () => {
    expect(() => applyFilter(tasks, "nosuchfield eq 1")).toThrow(/unknown property 'nosuchfield'/);
    expect(applyFilter([], "nosuchfield eq 1")).toEqual([]);
  });
  test("error text is Qlik's", () => {
    let caught: unknown;
    try {
      parseFilter("name eq");
    } catch (e) {
      caught = e;
    }
    expect(filterErrorText(caught)).toBe("Cannot parse the expression: expected a value after 'eq' but found end of expression");
  });
});
