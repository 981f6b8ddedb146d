// Names where the pages used to show ids: a schedule's task (and the task an event trigger waits for) by its name from QRS (linked to its run history, the
// id below), and the audit log's schedule and task targets by their names; with QRS down, the ids as before.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";

let dir: TempDir;
let h: Harness;
let scheduleId = "";

beforeAll(async () => {
  dir = createTempDir("steward-names-");
  h = await startHarness({ dir: dir.path });
  const res = await h.t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Nightly sales", cronSchedule: "0 2 * * *", qlikSenseTaskId: IDS.reload }),
  });
  expect(res.status).toBe(201);
  scheduleId = ((await res.json()) as { id: string }).id;
  expect((await h.t.request(`/v4/schedules/${scheduleId}/stop`, { method: "PUT" })).status).toBeLessThan(300);
  expect((await h.t.request(`/v4/reloadtask/${IDS.reload}/start`, { method: "POST" })).status).toBeLessThan(300);
  const chained = await h.t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Weekly follow-up", trigger: { on: ["succeeded"], taskIds: [IDS.reload] }, qlikSenseTaskId: IDS.externalProgram }),
  });
  expect(chained.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const page = async (path: string) => (await h.t.request(path, { headers: { accept: "text/html" } })).text();

test("the schedules page names the task a schedule starts, with its id below", async () => {
  const body = await page("/ui/schedules");
  const cell = /<td class="small" data-role="task">([\s\S]*?)<\/td>/.exec(body)?.[1] ?? "";
  expect(cell).toContain(`<a href="/ui/tasks/${IDS.reload}" title="${IDS.reload}" data-task-name="true">Reload Sales dashboard</a>`);
  expect(cell).toContain(`<div class="mono muted">${IDS.reload}</div>`);
});

test("an event trigger names the task it waits for, not its id", async () => {
  const body = await page("/ui/schedules");
  expect(body).toContain("<span>when Reload Sales dashboard succeeded</span>");
  expect(body).not.toContain(`when ${IDS.reload.slice(0, 8)}`);
});

test("the audit log names schedule and task targets", async () => {
  const body = await page("/ui/audit");
  const targets = [...body.matchAll(/<td class="small" data-role="target">([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
  expect(targets.some((t) => t.includes(`<span title="${scheduleId}">schedule Nightly sales</span>`))).toBe(true);
  expect(targets.some((t) => t.includes(`<span title="${IDS.reload}">task Reload Sales dashboard</span>`))).toBe(true);
});

test("a task QRS knows that has not run yet: its page (linked from a schedule) names it and says so, not 'Task not found'", async () => {
  const res = await h.t.request(`/ui/tasks/${IDS.preload}`, { headers: { accept: "text/html" } });
  const body = await res.text();
  expect(res.status).toBe(200);
  expect(body).toContain("<title>Preload Sales dashboard · Steward</title>");
  expect(body).toContain(IDS.preload);
  expect(body).toContain("No run of this task is in the history yet");
  expect(body).not.toContain("Task not found");
  const unknown = await h.t.request("/ui/tasks/00000000-0000-4000-8000-00000000abcd", { headers: { accept: "text/html" } });
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain("Task not found");
});

test("with QRS down, a task not named before shows its id, and the page still answers", async () => {
  await h.sim.stop();
  const res = await h.t.request("/v4/schedules", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Weekly sync", cronSchedule: "0 3 * * 1", qlikSenseTaskId: IDS.userSync }),
  });
  expect(res.status).toBe(201);
  const body = await page("/ui/schedules");
  expect(body).toContain("Reload Sales dashboard");
  expect(body).toContain(`<span class="mono">${IDS.userSync}</span>`);
});
