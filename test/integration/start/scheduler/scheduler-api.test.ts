// The /v4/schedules API without Qlik: Butler's bodies and answers, invalid input as 400 naming the field,
// 404s, update, bulk start/stop by id and tag (persisting across a restart), status text, import of Butler's
// schedule file over REST and with the CLI, and limits.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createManualClock } from "../../../../src/platform/core/clock";
import { startProcess } from "../../../helpers/child-process";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const tmp = createTempDir();
afterAll(() => tmp.remove());
const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const put = (t: TestApp, path: string, body?: unknown) => t.request(path, body === undefined ? { method: "PUT" } : json(body, "PUT"));
const butlerBody = (extra: Record<string, unknown> = {}) => ({
  name: "Every 2 hours",
  cronSchedule: "0 */2 * * *",
  timezone: "Europe/London",
  qlikSenseTaskId: TASK,
  startupState: "started",
  tags: ["Finance"],
  ...extra,
});

async function errorOf(r: Response): Promise<string> {
  return ((await r.json()) as { error: string }).error;
}

describe("schedules API", () => {
  test("create, list, get by id, update, delete with Butler's bodies", async () => {
    const clock = createManualClock(Date.parse("2025-01-10T09:15:00Z"));
    const t = createTestApp("", { dir: join(tmp.path, "crud"), clock });
    await t.app.start();
    try {
      let r = await t.request("/v4/schedules", json(butlerBody()));
      expect(r.status).toBe(201);
      const s = (await r.json()) as Record<string, unknown>;
      expect(s).toMatchObject({
        ...butlerBody(),
        lastKnownState: "started",
        created: "2025-01-10T09:15:00.000Z",
        nextRun: "2025-01-10T10:00:00.000Z",
        catchUp: false,
      });
      expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
      const id = String(s.id);

      r = await t.request(`/v4/schedules?id=${id}`);
      expect(await r.json()).toEqual([s]);
      expect((await (await t.request("/v4/schedules")).json()) as unknown[]).toHaveLength(1);
      r = await t.request("/v4/schedules?id=nope");
      expect(r.status).toBe(404);
      expect(await errorOf(r)).toBe("schedule 'nope' not found");

      // Update: given fields replace, null clears, the next run follows.
      r = await t.request(
        `/v4/schedules/${id}`,
        json({ cronSchedule: "*/5 * * * *", timezone: "Asia/Tokyo", timeWindow: { from: "18:00", to: "19:00" } }, "PUT"),
      );
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({
        id,
        cronSchedule: "*/5 * * * *",
        timezone: "Asia/Tokyo",
        nextRun: "2025-01-10T09:20:00.000Z",
        updated: "2025-01-10T09:15:00.000Z",
      });
      r = await t.request(`/v4/schedules/${id}`, json({ timeWindow: { from: "20:00", to: "21:00" } }, "PUT"));
      expect((await r.json()).nextRun).toBe("2025-01-10T11:00:00.000Z");
      r = await t.request(`/v4/schedules/${id}`, json({ timeWindow: null, name: "renamed" }, "PUT"));
      const updated = await r.json();
      expect(updated.timeWindow).toBeUndefined();
      expect(updated.name).toBe("renamed");
      // Switching to an event trigger needs the cron cleared.
      r = await t.request(`/v4/schedules/${id}`, json({ trigger: { on: ["failed"], taskIds: [TASK] } }, "PUT"));
      expect(r.status).toBe(400);
      expect(await errorOf(r)).toBe("body.trigger: a schedule has either cronSchedule or trigger, not both");
      r = await t.request(`/v4/schedules/${id}`, json({ cronSchedule: null, trigger: { on: ["failed"], taskIds: [TASK] } }, "PUT"));
      expect(await r.json()).toMatchObject({ trigger: { on: ["failed"], taskIds: [TASK], taskTags: [] }, nextRun: null });
      expect((await t.request("/v4/schedules/nope", json({ name: "x" }, "PUT"))).status).toBe(404);

      expect((await t.request(`/v4/schedules/${id}`, { method: "DELETE" })).status).toBe(204);
      expect((await t.request(`/v4/schedules/${id}`, { method: "DELETE" })).status).toBe(404);
      expect((await t.app.audit.query({ action: "schedule.*" })).map((a) => a.action)).toEqual([
        "schedule.delete",
        "schedule.update",
        "schedule.update",
        "schedule.update",
        "schedule.update",
        "schedule.create",
      ]);
    } finally {
      await t.close();
    }
  });

  test("invalid input is a 400 naming the field", async () => {
    const t = createTestApp("", { dir: join(tmp.path, "invalid") });
    try {
      const cases: Array<[Record<string, unknown>, string]> = [
        [butlerBody({ cronSchedule: "61 * * * *" }), "body.cronSchedule: Invalid value for minute: 61"],
        [butlerBody({ cronSchedule: "* * *" }), "body.cronSchedule: "],
        [butlerBody({ cronSchedule: "0 0 6 * * * 2030" }), "body.cronSchedule: "],
        [butlerBody({ timezone: "Mars/Olympus" }), "body.timezone: unknown time zone 'Mars/Olympus'"],
        [butlerBody({ qlikSenseTaskId: "not-a-guid" }), "body.qlikSenseTaskId: expected a task GUID"],
        [butlerBody({ startupState: "paused" }), "body.startupState: "],
        [butlerBody({ cronSchedule: undefined }), "body.cronSchedule: give cronSchedule, or trigger"],
        [butlerBody({ timeWindow: { from: "3:00", to: "15:00" } }), "body.timeWindow.from: expected HH:MM"],
        [
          butlerBody({ timeWindow: { from: "03:00", to: "05:00" }, cronSchedule: "0 20 * * *" }),
          "body.timeWindow: the cron schedule never fires inside this window",
        ],
        [butlerBody({ startDate: "2025-05-01", endDate: "2025-04-01" }), "body.endDate: must be after startDate"],
        [butlerBody({ startDate: "tomorrow" }), "body.startDate: expected YYYY-MM-DD"],
        [butlerBody({ cronSchedule: undefined, trigger: { on: ["failed"] } }), "body.trigger: give taskIds or taskTags"],
        [butlerBody({ cronSchedule: undefined, trigger: { on: ["exploded"], taskIds: [TASK] } }), "body.trigger.on[0]: "],
        [butlerBody({ cronSchedul: "* * * * *" }), "body: Unrecognized key"],
        [{ ...butlerBody(), name: "" }, "body.name: "],
      ];
      for (const [body, message] of cases) {
        const r = await t.request("/v4/schedules", json(body));
        expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
        expect(await errorOf(r)).toStartWith(message);
      }
      expect((await t.request("/v4/schedules", { method: "POST", body: "{not json" })).status).toBe(400);
      expect(await t.app.scheduler!.list()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  test("start/stop one, all, and in bulk by ids or tags; state survives a restart exactly as left", async () => {
    const dir = join(tmp.path, "bulk");
    let t = createTestApp("", { dir });
    await t.app.start();
    const ids: Record<string, string> = {};
    for (const [name, tags] of [
      ["a", ["etl", "night"]],
      ["b", ["etl"]],
      ["c", ["report"]],
      ["d", []],
    ] as const) {
      ids[name] = ((await (await t.request("/v4/schedules", json(butlerBody({ name, tags })))).json()) as { id: string }).id;
    }
    const states = async () =>
      ((await (await t.request("/v4/schedules")).json()) as Array<{ name: string; lastKnownState: string }>)
        .map((s) => `${s.name}:${s.lastKnownState}`)
        .join(" ");

    let r = await put(t, "/v4/schedules/stopall");
    expect(r.status).toBe(200);
    expect(await states()).toBe("a:stopped b:stopped c:stopped d:stopped");
    r = await put(t, "/v4/schedules/startall");
    expect(((await r.json()) as unknown[]).length).toBe(4);
    r = await put(t, "/v4/schedules/bulk/stop", { tags: ["etl"] });
    expect(((await r.json()) as Array<{ name: string }>).map((s) => s.name)).toEqual(["a", "b"]);
    r = await put(t, "/v4/schedules/bulk/stop", { ids: [ids.d] });
    expect(await states()).toBe("a:stopped b:stopped c:started d:stopped");
    r = await put(t, "/v4/schedules/bulk/start", { ids: [ids.a, "missing-1"], tags: ["report"] });
    expect(r.status).toBe(404);
    expect(await errorOf(r)).toBe("unknown schedule ids: missing-1; nothing was changed");
    expect(await states()).toBe("a:stopped b:stopped c:started d:stopped");
    expect((await put(t, "/v4/schedules/bulk/start", {})).status).toBe(400);
    r = await put(t, "/v4/schedules/bulk/start", { ids: [ids.a], tags: ["nothing-has-this"] });
    expect(((await r.json()) as unknown[]).length).toBe(1);
    r = await put(t, `/v4/schedules/${ids.c}/stop`);
    expect(((await r.json()) as Array<{ lastKnownState: string }>)[0]!.lastKnownState).toBe("stopped");
    expect((await put(t, "/v4/schedules/nope/start")).status).toBe(404);

    const before = await states();
    expect(before).toBe("a:started b:stopped c:stopped d:stopped");
    const status = await (await t.request("/v4/schedules/status")).text();
    expect(status).toBe(
      `{\n'${ids.a}': 0 */2 * * * status: Running \n'${ids.b}': 0 */2 * * * status: Stopped \n'${ids.c}': 0 */2 * * * status: Stopped \n'${ids.d}': 0 */2 * * * status: Stopped \n}`,
    );
    await t.close();

    t = createTestApp("", { dir });
    await t.app.start();
    try {
      expect(await states()).toBe(before);
      expect((await t.app.scheduler!.get(ids.b!))!.nextRun).toBeNull();
      expect((await t.app.scheduler!.get(ids.a!))!.nextRun).not.toBeNull();
    } finally {
      await t.close();
    }
  });

  test("import Butler's schedule file over REST: kept ids and states, skip or replace on conflict, 400 with line:col", async () => {
    const t = createTestApp("scheduler:\n  defaultTimezone: Europe/Stockholm\n", { dir: join(tmp.path, "import") });
    await t.app.start();
    const file = `butlerSchedule:
  - name: Every 30 sec
    cronSchedule: '*/30 * * * * *'
    timezone: Europe/Stockholm
    qlikSenseTaskId: ${TASK}
    startupState: started
    tags: [Sales]
    id: task-1
    lastKnownState: stopped
  - name: Weekdays
    cronSchedule: '0-30/5 6-18 * * 1-5'
    qlikSenseTaskId: ${TASK}
    startupState: started
    id: task-2
`;
    try {
      let r = await t.request("/v4/schedules/import", { method: "POST", headers: { "content-type": "application/yaml" }, body: file });
      expect(r.status).toBe(200);
      let report = (await r.json()) as { imported: Array<{ id: string; lastKnownState: string; timezone: string }>; skipped: unknown[] };
      expect(report.imported.map((s) => [s.id, s.lastKnownState, s.timezone])).toEqual([
        ["task-1", "stopped", "Europe/Stockholm"],
        ["task-2", "started", "Europe/Stockholm"],
      ]);
      r = await t.request("/v4/schedules/import", { method: "POST", body: file });
      report = await r.json();
      expect(report.imported).toEqual([]);
      expect(report.skipped).toHaveLength(2);
      r = await t.request("/v4/schedules/import?onConflict=replace", { method: "POST", body: file.replace("name: Weekdays", "name: Weekdays v2") });
      expect(((await r.json()) as { replaced: string[] }).replaced).toEqual(["task-1", "task-2"]);
      expect((await t.app.scheduler!.get("task-2"))!.name).toBe("Weekdays v2");
      expect((await (await t.request("/v4/schedules?id=task-1")).json())[0].lastKnownState).toBe("stopped");

      r = await t.request("/v4/schedules/import", { method: "POST", body: file.replace("6-18", "6-26").replace("id: task-2", "id: task-3") });
      expect(r.status).toBe(400);
      expect(await errorOf(r)).toMatch(/^request body:11:19 butlerSchedule\[1\]\.cronSchedule: /);
      expect(await t.app.scheduler!.get("task-3")).toBeUndefined();
      expect((await t.request("/v4/schedules/import", { method: "POST", body: "" })).status).toBe(400);
    } finally {
      await t.close();
    }
  });

  test("steward schedules import FILE writes the store of a stopped Steward", async () => {
    const dir = join(tmp.path, "cli");
    const cfg = join(tmp.path, "cli.yaml");
    writeFileSync(cfg, `dataDir: ${dir}/data\nscheduler:\n  defaultTimezone: UTC\n`);
    const file = join(tmp.path, "butler-schedules.yaml");
    writeFileSync(file, `butlerSchedule:\n  - { name: Nightly, cronSchedule: '0 2 * * *', qlikSenseTaskId: ${TASK}, startupState: stopped, id: night }\n`);
    const main = join(import.meta.dir, "../../../../src/main.ts");
    const run = async (...args: string[]) => {
      const p = startProcess(process.execPath, [main, ...args], { cwd: tmp.path });
      return { code: await p.exited, out: p.output() };
    };
    let r = await run("schedules", "import", file, "--config", cfg);
    expect(r.code).toBe(0);
    expect(r.out).toContain("1 imported (0 replaced), 0 skipped");
    r = await run("schedules", "import", file, "--config", cfg);
    expect(r.out).toContain("0 imported (0 replaced), 1 skipped");
    writeFileSync(file, `butlerSchedule:\n  - { name: Broken, cronSchedule: '0 2 * *', qlikSenseTaskId: ${TASK} }\n`);
    r = await run("schedules", "import", file, "--config", cfg);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/butler-schedules\.yaml:2:\d+ butlerSchedule\[0\]\.cronSchedule: /);
    expect((await run("schedules", "frob")).code).toBe(2);

    const t = createTestApp(`dataDir: ${dir}/data\n`, { dir });
    await t.app.start();
    try {
      expect(await t.app.scheduler!.get("night")).toMatchObject({ name: "Nightly", lastKnownState: "stopped", timezone: "UTC" });
      // While Steward runs, the CLI cannot open the store and says how to import instead.
      r = await run("schedules", "import", file, "--config", cfg);
      expect(r.code).toBe(1);
      expect(r.out).toContain("/v4/schedules/import");
    } finally {
      await t.close();
    }
  });

  test("scheduler.maxSchedules gives 409; flags listed; disabled scheduler has no routes", async () => {
    const t = createTestApp("scheduler:\n  maxSchedules: 1\n", { dir: join(tmp.path, "limits") });
    try {
      expect((await t.request("/v4/schedules", json(butlerBody()))).status).toBe(201);
      const r = await t.request("/v4/schedules", json(butlerBody()));
      expect(r.status).toBe(409);
      expect(await errorOf(r)).toContain("scheduler.maxSchedules");
      const flags = (await (await t.request("/v4/configfile/endpointsenabled")).json()) as string[];
      for (const f of ["getSchedule", "createNewSchedule", "deleteSchedule", "startSchedule", "stopSchedule", "getScheduleStatusAll", "updateSchedule"])
        expect(flags).toContain(f);
    } finally {
      await t.close();
    }
    const off = createTestApp("scheduler:\n  enabled: false\n");
    try {
      expect((await off.request("/v4/schedules")).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
