// The filter language over HTTP on the default site: Butler's filters, every operator, and/or/parens, quoting,
// any-element on collections, case-insensitivity, percent-decoding, and 400 on garbage.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { applyFilter } from "../../../src/sim/filter";
import { wallLimit } from "../../helpers/time-limit";
import { f, startTestSim, type TestSim, waitForStatus } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const names = async (resource: string, expr: string) => {
  const r = await t.qrs.get(`${resource}?${f(expr)}`);
  expect(r.status).toBe(200);
  return r
    .json<any[]>()
    .map((x) => x.name as string)
    .sort();
};

describe("sim QRS filter: the filters Butler sends", () => {
  test("id eq {guid}", async () => {
    expect(await names("task", "id eq 7552d9fc-d1bb-4975-9a38-18357de531ea")).toEqual(["Reload Sales dashboard"]);
  });
  test("tags.name eq 'X' (any element)", async () => {
    expect(await names("task/full", "tags.name eq 'Butler 5.0 demo'")).toEqual([
      "Partial reload – Partial reload demo",
      "Reload Customer 360",
      "Reload Finance – General ledger",
      "Reload Sales dashboard",
      "Reload chain – step 1",
    ]);
    expect(await names("task/full", "tags.name eq 'startTask1'")).toEqual(["Reload Inventory on hand", "Reload Logistics KPIs", "Reload Sales dashboard"]);
  });
  test("(customProperties.definition.name eq 'N') and (customProperties.value eq 'V')", async () => {
    expect(await names("task/full", "(customProperties.definition.name eq 'taskGroup') and (customProperties.value eq 'financial-reports')")).toEqual([
      "Reload ERP extract – staging",
      "Reload Finance – Accounts payable",
      "Reload Finance – General ledger",
      "Run ERP extract script",
    ]);
  });
  test("id eq X and CP name [and value] for the CP checks", async () => {
    const id = "7552d9fc-d1bb-4975-9a38-18357de531ea";
    expect(await names("task/full", `id eq ${id} and customProperties.definition.name eq 'Butler_SuccessReloadTask_InfluxDB'`)).toHaveLength(1);
    expect(
      await names("task/full", `id eq ${id} and customProperties.definition.name eq 'Butler_SuccessReloadTask_InfluxDB' and customProperties.value eq 'Yes'`),
    ).toHaveLength(1);
    expect(await names("task/full", `id eq ${id} and customProperties.definition.name eq 'priority'`)).toEqual([]);
  });
  test("objectTypes eq 'ReloadTask' and name eq 'N' on custom property definitions", async () => {
    expect(await names("custompropertydefinition/full", "objectTypes eq 'ExternalProgramTask'")).toEqual(["Butler_FailedAlertEnableEmail", "taskGroup"]);
    expect(await names("custompropertydefinition/full", "name eq 'Butler_FailedTaskAlert_Email'")).toEqual(["Butler_FailedTaskAlert_Email"]);
  });
  test("Butler doubles ' without URL-encoding the rest: spaces and '' still work once percent-decoded", async () => {
    const r = await t.qrs.get("task?filter=name%20eq%20'Reload;%20Sales;%20EMEA'");
    expect(r.json<any[]>().map((x) => x.name)).toEqual(["Reload; Sales; EMEA"]);
    const plus = await t.qrs.get("task?filter=name+eq+'Reload+Customer+360'");
    expect(plus.json<any[]>().map((x) => x.name)).toEqual(["Reload Customer 360"]);
  });
});

describe("sim QRS filter: operators and structure", () => {
  test("ne gt ge lt le on numbers and enums", async () => {
    expect((await names("task", "taskType ne 0")).length).toBe(8);
    expect(await names("task", "taskType gt 3")).toEqual(["Preload Finance app", "Preload Sales dashboard"]);
    expect((await names("task", "taskType ge 3")).length).toBe(4);
    expect((await names("task", "taskType lt 1")).length).toBe(15);
    expect((await names("task", "taskType le 1")).length).toBe(17);
    expect(await names("task", "taskType eq UserSync")).toEqual(["User sync Azure AD", "User sync CORP"]);
    expect(await names("task/full", "maxRetries ge 2")).toEqual(["Nightly – Försäljning"]);
  });
  test("sw ew so, case-insensitive, non-ASCII", async () => {
    expect(await names("task", "name sw 'PRELOAD'")).toEqual(["Preload Finance app", "Preload Sales dashboard"]);
    expect(await names("task", "name ew 'försäljning'")).toEqual(["Nightly – Försäljning"]);
    expect(await names("app", "name so 'FINANCE –'")).toEqual(["Finance – Accounts payable", "Finance – General ledger"]);
  });
  test("true/false/null", async () => {
    expect(await names("task", "enabled eq false")).toEqual(["Reload License monitor"]);
    expect((await names("app/full", "stream eq null")).sort()).toEqual(["ERP extract – staging", "Reload chain – step 1"]);
    expect(await names("user/full", "inactive eq true")).toEqual(["Li Wei"]);
  });
  test("and/or precedence and parentheses", async () => {
    expect(await names("task", "taskType eq 3 or taskType eq 4 and name sw 'Preload S'")).toEqual([
      "Distribute HR",
      "Distribute Sales to Cloud",
      "Preload Sales dashboard",
    ]);
    expect(await names("task", "(taskType eq 3 or taskType eq 4) and name sw 'Preload S'")).toEqual(["Preload Sales dashboard"]);
  });
  test("dotted paths into objects, case-insensitive", async () => {
    // Reload, distribute and preload tasks carry their app (so the distribute and preload tasks of Sales apps match too).
    expect((await names("task/full", "App.Stream.Name eq 'sales'")).length).toBe(5);
    expect((await names("task/full", "App.Stream.Name eq 'sales' and (taskType eq 3 or taskType eq 4)")).length).toBe(2);
    expect(await names("app/full", "OWNER.USERID eq 'ERIK'")).toEqual(["Försäljning"]);
  });
  test("dates compare as dates", async () => {
    expect(await names("app/full", "createdDate gt '2024-02-12T00:00:00.000Z'")).toEqual(["ERP extract – staging", "License monitor", "Partial reload demo"]);
    expect((await names("app/full", "createdDate le '2024-02-01'")).length).toBe(0);
  });
});

describe("sim QRS filter: many entities by id at once (a client enriching a burst of runs)", () => {
  // Runs picked by executionID are covered by test/integration/hear/intake/enrich-burst.test.ts (this site has none).
  test("an or of ids picks those tasks and apps, the same as filtering every entity", async () => {
    const unknown = "cc000000-0000-4000-8000-0000000000ff";
    for (const [resource, field] of [
      ["task/full", "id"],
      ["app/full", "id"],
    ] as const) {
      const all = (await t.qrs.get(resource)).json<any[]>();
      const picked = all.slice(0, 3).map((e) => String(e[field]));
      expect(picked.length, resource).toBeGreaterThan(1);
      const expr = [...picked, unknown].map((id) => `(${field} eq ${id})`).join(" or ");
      const got = (await t.qrs.get(`${resource}?${f(expr)}`)).json<any[]>();
      expect(got.map((e) => e.id).sort(), resource).toEqual(
        applyFilter(all, expr)
          .map((e) => e.id)
          .sort(),
      );
      expect(new Set(got.map((e) => String(e[field]).toLowerCase())), resource).toEqual(new Set(picked.map((id) => id.toLowerCase())));
      // An or that also names something else is not a lookup by id: every entity is tested.
      const mixed = `(${field} eq ${picked[0]}) or (id ne ${unknown})`;
      expect((await t.qrs.get(`${resource}?${f(mixed)}`)).json<any[]>().length, resource).toBe(all.length);
    }
  });
});

describe("sim QRS filter: errors", () => {
  for (const bad of ["name eq", "name eq 'x", "(name eq 'x'", "name equals 'x'", "name eq 'x' or", "eq 'x'", 'name eq "x"', "nosuchprop eq 1"]) {
    test(`400 for ${bad}`, async () => {
      const r = await t.qrs.get(`task?${f(bad)}`);
      expect(r.status).toBe(400);
      expect(r.text.startsWith("Cannot parse the expression: ")).toBe(true);
    });
  }
  test("malformed percent-encoding → 400", async () => {
    const r = await t.qrs.get("task?filter=name%ZZeq");
    expect(r.status).toBe(400);
  });
  test("a filter that matches nothing → 200 []", async () => {
    const r = await t.qrs.get(`task?${f("name eq 'no such task'")}`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual([]);
  });
});

describe("sim QRS filter: execution results picked by time or status give what testing every run gives", () => {
  test(
    "running, changed since, stopped between, by status name, and mixed branches",
    async () => {
      const sales = "7552d9fc-d1bb-4975-9a38-18357de531ea";
      for (let i = 0; i < 3; i++) {
        expect((await t.qrs.post(`task/${sales}/start`, {})).status).toBe(204);
        await waitForStatus(t.qrs, sales, [7, 8]);
      }
      const all = (await t.qrs.get("executionresult/full")).json<
        Array<{ id: string; executionID: string; createdDate: string; modifiedDate: string; stopTime: string }>
      >();
      expect(all.length).toBeGreaterThanOrEqual(3);
      const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
      const times = all.flatMap((e) => [shift(e.createdDate, -1), e.createdDate, shift(e.stopTime, 1)]);
      const filters = [
        "(status ge 1) and (status le 5)",
        "status eq FinishedSuccess",
        "status eq 8",
        "status ne 7",
        "(status eq 7) or (modifiedDate gt '2999-01-01T00:00:00.000Z')",
        "(status ge 7) and (modifiedDate gt '2000-01-01T00:00:00.000Z')",
        ...times.map((x) => `(modifiedDate gt '${x}') or (createdDate gt '${x}')`),
        // A look's one read (issue 89): runs in progress or changed since; and an or with a branch on another field.
        ...times.map((x) => `((status ge 1) and (status le 5)) or (modifiedDate gt '${x}') or (createdDate gt '${x}')`),
        ...times.map((x) => `(status eq 8) or (stopTime le '${x}')`),
        // Several status branches and times in one or (picked by one test of each run), and an and of status and time.
        ...times.map((x) => `(status eq 8) or ((status ge 1) and (status le 5)) or (startTime ge '${x}') or (stopTime gt '${x}')`),
        ...times.map((x) => `((status ge 7) and (status le 6)) or (modifiedDate eq '${x}')`),
        ...times.map((x) => `(status eq 7) or ((status ge 1) and (modifiedDate gt '${x}'))`),
        ...times.map((x) => `(status eq 9) or (createdDate gt '${x}') or (taskID eq ${sales})`),
        "(status eq 9) or (executingNodeName eq 'nosuch')",
        ...times.map((x) => `(stopTime gt '${shift(x, -60_000)}') and (stopTime le '${x}')`),
        ...times.map((x) => `startTime ge '${x}'`),
        // One task's runs, alone, with a time, in capitals, and a task with none.
        `taskID eq ${sales}`,
        `taskID eq ${sales.toUpperCase()}`,
        ...times.map((x) => `(taskID eq ${sales}) and (stopTime gt '${x}')`),
        "taskID eq 00000000-0000-0000-0000-000000000000",
        // A run's attempts by its executionID (a client enriching it), in capitals, with another condition, and none.
        ...all.flatMap((e) => [
          `executionID eq ${e.executionID}`,
          `executionID eq ${e.executionID.toUpperCase()}`,
          `(executionID eq ${e.executionID}) and (status eq 7)`,
        ]),
        "executionID eq 00000000-0000-0000-0000-000000000000",
        // A bound met exactly.
        ...all.flatMap((e) => [`createdDate ge '${e.createdDate}'`, `modifiedDate eq '${e.modifiedDate}'`, `stopTime ge '${e.stopTime}'`]),
      ];
      const ids = (items: Array<{ id: string }>) => items.map((e) => e.id).sort();
      for (const expr of filters) {
        const r = await t.qrs.get(`executionresult/full?${f(expr)}`);
        expect({ expr, status: r.status }).toEqual({ expr, status: 200 });
        expect({ expr, ids: ids(r.json()) }).toEqual({ expr, ids: ids(applyFilter(all, expr)) });
      }
      // Tasks and triggers picked by what changed since a time (each look asks that of all three).
      for (const resource of ["task", "reloadtask", "externalprogramtask", "schemaevent", "compositeevent"]) {
        const every = (await t.qrs.get(`${resource}/full`)).json<Array<{ id: string; modifiedDate: string }>>();
        expect(every.length).toBeGreaterThan(0);
        const bounds = every.flatMap((e) => [shift(e.modifiedDate, -1), e.modifiedDate, shift(e.modifiedDate, 1)]);
        expect((await t.qrs.get(`${resource}/count`)).json<{ value: number }>().value).toBe(every.length);
        const exprs = [...bounds.map((x) => `modifiedDate gt '${x}'`), ...bounds.map((x) => `modifiedDate ge '${x}'`), "modifiedDate gt '1999-01-01'"];
        for (const expr of exprs) {
          const r = await t.qrs.get(`${resource}/full?${f(expr)}`);
          expect({ resource, expr, ids: ids(r.json()) }).toEqual({ resource, expr, ids: ids(applyFilter(every, expr)) });
          const count = await t.qrs.get(`${resource}/count?${f(expr)}`);
          expect({ resource, expr, count: count.json<{ value: number }>().value }).toEqual({ resource, expr, count: applyFilter(every, expr).length });
        }
      }
      // One task or app by id (a client enriching a run), alone or with other conditions, in any case.
      for (const resource of ["task", "reloadtask", "externalprogramtask", "app"]) {
        const every = (await t.qrs.get(`${resource}/full`)).json<Array<{ id: string; name: string }>>();
        const other = (await t.qrs.get(`${resource === "app" ? "task" : "app"}/full`)).json<Array<{ id: string }>>()[0]!;
        // A task of another type: its id is not in this list of tasks.
        const otherType = (await t.qrs.get("task/full")).json<Array<{ id: string }>>().find((x) => !every.some((e) => e.id === x.id));
        const exprs = [
          ...every.slice(0, 3).flatMap((e) => [`id eq ${e.id}`, `id eq ${e.id.toUpperCase()}`, `(id eq ${e.id}) and (name eq 'no such name')`]),
          `id eq ${other.id}`,
          ...(otherType ? [`id eq ${otherType.id}`] : []),
          "id eq 00000000-0000-0000-0000-000000000000",
        ];
        for (const expr of exprs) {
          const r = await t.qrs.get(`${resource}/full?${f(expr)}`);
          expect({ resource, expr, ids: ids(r.json()) }).toEqual({ resource, expr, ids: ids(applyFilter(every, expr)) });
        }
      }
      // Narrowed to nothing, an unknown property is still refused, and a known one is not, on every asking (the
      // simulator judges the later ones by the properties it has seen the type with).
      const unknown = await t.qrs.get(`executionresult/full?${f("(modifiedDate gt '2999-01-01') and (nosuch eq 1)")}`);
      expect(unknown.status).toBe(400);
      for (const resource of ["task", "schemaevent", "compositeevent", "executionresult"])
        for (let i = 0; i < 2; i++) {
          const refused = await t.qrs.get(`${resource}/count?${f("(modifiedDate gt '2999-01-01') and (nosuch eq 1)")}`);
          expect({ resource, status: refused.status, text: refused.text }).toEqual({ resource, status: 400, text: expect.stringContaining("nosuch") });
          const known = await t.qrs.get(`${resource}/count?${f("(modifiedDate gt '2999-01-01') and (createdDate lt '2000-01-01')")}`);
          expect({ resource, status: known.status, value: known.json<{ value: number }>().value }).toEqual({ resource, status: 200, value: 0 });
        }
      // Some 300 requests to one simulator: a hang guard, scaled for a slower or busier machine (TEST_TIME_SCALE).
    },
    wallLimit(30_000),
  );
});
