// The simulated tenant checked against Qlik's contract: for each endpoint Steward calls, the simulator's answer (in
// the situation Qlik's example shows: a failed reload, a failed automation run, a failed data task) has every field of
// Qlik's documented example response (test/fixtures/qlik-cloud/, verbatim from qlik.dev) with the same JSON type, so
// the simulator, written apart from Steward's parsers, cannot drift from what a real tenant sends.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simControl } from "../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../helpers/stepped-cloud";
import { createTempDir } from "../../helpers/temp-dir";

const START = Date.parse("2026-11-23T08:00:00Z");
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }]
`;
const FIXTURES = join(import.meta.dir, "../../fixtures/qlik-cloud");
const example = (file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, file), "utf8"));

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Where `actual` lacks a field of `documented`, or has it with another JSON type: one line per difference, by path.
 * An array's documented first element is compared with each element the simulator sent; an empty array has the right
 * type and nothing to compare (an automation with no snippets), so each test also asserts the lists it reads are not.
 */
function shapeDifferences(documented: unknown, actual: unknown, path = "(root)"): string[] {
  const want = typeOf(documented);
  const got = typeOf(actual);
  if (want !== got) return [`${path}: ${got === "undefined" ? "missing" : `${got}, documented ${want}`}`];
  if (want === "array") {
    const item = (documented as unknown[])[0];
    if (item === undefined) return [];
    return (actual as unknown[]).flatMap((a, i) => shapeDifferences(item, a, `${path}[${i}]`));
  }
  if (want !== "object") return [];
  const a = actual as Record<string, unknown>;
  return Object.entries(documented as Record<string, unknown>).flatMap(([k, v]) => shapeDifferences(v, a[k], path === "(root)" ? k : `${path}.${k}`));
}

/**
 * The differences the simulator is right to have, each with its reason:
 * - where Qlik's example contradicts Qlik's own schema on the same page, the simulator follows the schema: an
 *   automation's and a run's `duration` is an integer (seconds) in the schema, the string "9001" in the example;
 * - a list's `links.next` and `links.prev` (Qlik's example shows a page in the middle): a first page has no previous
 *   one, a last page no next one, and a one-page list neither;
 * - a data task run's `errors[].source` and `.status`: Qlik's shared Error type's fields for a refused request (the
 *   request field at fault, the HTTP status); a run's failure in the simulator names neither;
 * - a task run's `taskMeta.disabledCode`, `deletedAt` and `migratedFrom`: there only for a task disabled, deleted, or
 *   migrated from a reload task (TaskMetadata); and `taskMeta.trigger`, whose type numbers (0–4) Qlik does not explain.
 */
const RIGHT_TO_DIFFER = [
  /^data\[\d+\]\.duration: number, documented string$/,
  /^links\.(next|prev): missing$/,
  /^lastRun\.errors\[\d+\]\.(source|status): missing$/,
  /^data\[\d+\]\.taskMeta\.(disabledCode|deletedAt|migratedFrom|trigger): missing$/,
];
const differences = (file: string, actual: unknown) => shapeDifferences(example(file), actual).filter((d) => !RIGHT_TO_DIFFER.some((re) => re.test(d)));

const dir = createTempDir();
let cloud: SteppedCloud;
let get: (path: string) => Promise<unknown>;
let appId: string;
let dataTask: { projectId: string; id: string };
let automationId: string;
let taskId: string;

beforeAll(async () => {
  cloud = await startSteppedCloud(dir.path, START, SITE, { schedules: false });
  const sim = cloud.sim;
  get = async (path) => {
    const res = await fetch(`${sim.urls.cloud}${path}`, {
      headers: { Authorization: `Bearer ${sim.cloud!.apiKey}` },
      tls: { ca: readFileSync(join(sim.certDir, "root.pem"), "utf8") },
    });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.json();
  };
  appId = sim.site.apps[0]!.id;
  // A Scheduling Task's failed run: a chronos reload whose resource is the task, as in Qlik's example.
  const task = (await simControl(sim, "POST", "/cloud/tasks", {
    name: "Sales nightly",
    appId,
    recurrence: ["RRULE:FREQ=DAILY;BYHOUR=3;BYMINUTE=0;BYSECOND=0"],
    outcome: "fail",
  })) as { id: string };
  await simControl(sim, "POST", `/cloud/tasks/${task.id}/run`, {});
  taskId = task.id;
  const a = (await simControl(sim, "POST", "/cloud/automations", { name: "Export to Snowflake", outcome: "fail" })) as { id: string };
  automationId = a.id;
  await simControl(sim, "POST", `/cloud/automations/${a.id}/run`, {});
  const p = (await simControl(sim, "POST", "/cloud/di-projects", { name: "Sales pipeline" })) as { id: string };
  await simControl(sim, "POST", `/cloud/di-projects/${p.id}/di-tasks`, {
    id: "dt-crm",
    name: "CRM to QVD",
    datasets: [{ datasetId: "ds-orders", name: "ORDERS" }],
  });
  // It ran well once (its datasets hold data up to then: Qlik's dataTaskUpdatedTo), then failed.
  sim.cloud!.dataIntegration.run("dt-crm", "completed");
  await cloud.clock.runUntil(START + 5 * 60_000);
  sim.cloud!.dataIntegration.run("dt-crm", "failed", "ORA-12541: TNS:no listener");
  dataTask = { projectId: p.id, id: "dt-crm" };
  await cloud.clock.runUntil(START + 10 * 60_000);
}, 60_000); // a hang guard only: making certificates on a loaded machine takes a while
afterAll(async () => {
  await cloud?.sim.stop();
  dir.remove();
});

describe("the simulated tenant answers with every field of Qlik's documented examples", () => {
  test("reloads: GET /api/v1/reloads (with log=true, as the example shows the log) and GET /api/v1/reloads/{id}", async () => {
    const list = (await get("/api/v1/reloads?limit=100&log=true")) as { data: Array<{ id: string; status: string }> };
    expect(list.data[0]!.status).toBe("FAILED");
    expect(differences("reloads-list.json", { ...list, data: list.data.slice(0, 1) })).toEqual([]);
    expect(differences("reload-get.json", await get(`/api/v1/reloads/${list.data[0]!.id}`))).toEqual([]);
  });

  test("Scheduling Task runs: GET /api/scheduling/tasks/{id}/runs", async () => {
    const runs = (await get(`/api/scheduling/tasks/${taskId}/runs?limit=10`)) as { data: Array<{ status: string }> };
    expect(runs.data.map((r) => r.status)).toEqual(["FAILED"]);
    expect(differences("scheduling-task-runs-list.json", runs)).toEqual([]);
  });

  test("automations: GET /api/workflows/automations and the deprecated /api/v1/automations; a failed run's list", async () => {
    const autos = (await get("/api/workflows/automations?limit=100&listAll=true")) as { data: unknown[] };
    expect(autos.data).toHaveLength(1);
    expect(differences("workflows-automations-list.json", autos)).toEqual([]);
    expect(differences("automations-v1-list.json", await get("/api/v1/automations?limit=100&listAll=true"))).toEqual([]);
    const runs = (await get(`/api/v1/automations/${automationId}/runs?limit=10&sort=-startTime`)) as { data: Array<{ status: string }> };
    expect(runs.data.map((r) => r.status)).toContain("failed");
    expect(differences("automation-runs-v1-list.json", runs)).toEqual([]);
    expect(differences("workflows-automation-runs-list.json", await get(`/api/workflows/automations/${automationId}/runs?limit=10&sort=-startTime`))).toEqual(
      [],
    );
  });

  test("spaces: GET /api/v1/spaces/{spaceId} has each field of a space of the documented list", async () => {
    const app = (await get(`/api/v1/apps/${appId}`)) as { attributes: { spaceId: string } };
    const documented = example("spaces-list.json") as { data: unknown[] };
    expect(shapeDifferences(documented.data[0], await get(`/api/v1/spaces/${app.attributes.spaceId}`))).toEqual([]);
  });

  test("data tasks: projects, data tasks, a failed task's runtime state and its datasets", async () => {
    const base = `/api/v1/di-projects/${dataTask.projectId}/di-tasks/${dataTask.id}`;
    expect(differences("di-projects-list.json", await get("/api/v1/di-projects"))).toEqual([]);
    expect(differences("di-tasks-list.json", await get(`/api/v1/di-projects/${dataTask.projectId}/di-tasks`))).toEqual([]);
    const state = (await get(`${base}/runtime/state`)) as { lastRun: { state: string } };
    expect(state.lastRun.state).toBe("FAILED");
    expect(differences("di-task-runtime-state.json", state)).toEqual([]);
    expect(differences("di-task-runtime-datasets.json", await get(`${base}/runtime/state/datasets`))).toEqual([]);
  });
});

test("the comparison itself: a missing field, a field of another type, and an array's elements are each named", () => {
  expect(shapeDifferences({ a: 1, b: { c: "x" }, d: [{ e: true }] }, { a: "1", b: {}, d: [{ e: true }, {}] })).toEqual([
    "a: string, documented number",
    "b.c: missing",
    "d[1].e: missing",
  ]);
  expect(shapeDifferences({ d: [{ e: 1 }] }, { d: [] })).toEqual([]);
  expect(shapeDifferences({ d: [{ e: 1 }] }, { d: {} })).toEqual(["d: object, documented array"]);
});
