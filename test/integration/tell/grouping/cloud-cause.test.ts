// Qlik Cloud tasks grouped by the rules on-premise ones follow (issue 76), on the simulated tenant and the stepped
// clock Steward shares with it, with every default but the watchdog's look, pages counted by a real webhook receiver.
// Over six simulated hours: an hourly task an administrator paused (disabled) and one whose schedule the tenant
// paused (runs lost) are one page each and one when they run again, not a page for the pause plus one for the stale
// app; three reloads failing on one data connection are one page naming the three; an hourly task failing six times
// pages once until it recovers (and each time on a route with `renotify: every`, as on-premise). Before, the paused
// task gave two pages and two follow-ups, and the connection's failures an update page naming the tasks again. A
// failed upstream of a Cloud chain is one page naming the tasks after it, which do not run. Then the tenant's whole
// scheduler pauses for two hours: the tenant is one cause, not a page per task. On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

const START = Date.parse("2026-11-23T08:00:30Z");
const HOUR = 3_600_000;
const hourly = (name: string, app: string, minute: number) =>
  `    - { name: ${name}, app: ${app}, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=${minute};BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }`;
const APPS = ["Sales", "Budget", "Orders", "Finance", "HR", "Stock", "Extract", "Model", "Report"];
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [${APPS.map((a) => `{ name: ${a}, owner: CORP\\anna }`).join(", ")}]
cloud:
  tasks:
${[hourly("Sales hourly", "Sales", 5), hourly("Budget hourly", "Budget", 50), ...["Orders", "Finance", "HR"].map((a) => hourly(`${a} hourly`, a, 20)), hourly("Stock hourly", "Stock", 40), hourly("Extract hourly", "Extract", 30)].join("\n")}
`;
/** The watchdog's documented route and the Cloud failures' route, to one channel; a Butler-like route to another. */
const WATCHDOG = ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled", "task.on_track"];
const DWH = { connection: "DWH", error: "Connection refused: the DWH server did not accept the connection" };

type Page = {
  kind: string;
  taskName?: string;
  appName?: string;
  cause?: { title: string; status?: string; tasks: string[]; apps: string[]; update?: { tasks: string[] } };
};

const dir = createTempDir("steward-cloud-cause-");
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
  dir.remove();
});

/** The whole scenario on one store: the grouping's tables on SQLite and on PostgreSQL. */
function scenario(backend: "sqlite" | "postgres") {
  let cloud: SteppedCloud;
  let t: TestApp | undefined;
  let rx: HttpReceiver;
  /** How many requests the receiver had when the six hours of trouble were over and every cause had recovered. */
  let troubleOver = 0;
  let causesThen: Array<{ id: number; title: string }> = [];
  afterAll(async () => {
    await t?.close();
    await cloud?.sim.stop();
    await rx?.stop();
  });

  /** The pages of the six hours of trouble (and the two after), or, with `later`, those of the tenant's pause after them. */
  const pages = (path = "/hook", later = false) =>
    (later ? rx.requests.slice(troubleOver) : rx.requests.slice(0, troubleOver)).filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Page);
  const aboutApp = (app: string, path?: string) => pages(path).filter((p) => p.appName === app);
  const line = (p: Page) => `${p.kind} ${p.cause?.update ? "update" : (p.cause?.status ?? "-")}: ${p.cause?.title ?? p.taskName}`;

  beforeAll(async () => {
    let storeYaml = "";
    if (backend === "postgres") {
      pg ??= await startPostgres();
      // One Steward, nobody to take over: leases renewed each simulated minute, not every 3 s. Alone, its looks for
      // work another Steward wrote (outbox, escalations, schedules) follow the heartbeat too: each is a clock step.
      storeYaml = `store:\n  postgres:\n    url: ${await pg.createDatabase("cloud_cause")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
    }
    rx = startHttpReceiver();
    cloud = await startSteppedCloud(join(dir.path, backend), START, SITE);
    const apps = (await simControl(cloud.sim, "GET", "/apps")) as Array<{ id: string; name: string }>;
    t = createTestApp(
      `${storeYaml}${simCloudTenantYaml(cloud.sim)}watchdog:
  interval: 1m
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  butler: { type: webhook, url: "${rx.url}/butler" }
  flaky: { type: webhook, url: "${rx.url}/flaky" }
routes:
  - { name: watchdog, on: [${WATCHDOG.join(", ")}], to: [hook] }
  - { name: cloud-failures, on: [task.failed, task.aborted, task.recovered], sources: [cloud], to: [hook] }
  - { name: like-butler, on: [task.failed, task.recovered], appIds: [${apps.find((a) => a.name === "Stock")!.id}], to: [butler], renotify: every }
  - { name: flaky, on: [task.failed, task.recovered], appIds: [${apps.find((a) => a.name === "Stock")!.id}], to: [flaky], pageAfter: { failures: 3, within: 4h } }
`,
      { clock: cloud.clock, dir: join(dir.path, `${backend}-steward`) },
    );
    // A Cloud chain: Model runs when Extract succeeded, Report when Model did.
    const chain = async (name: string, app: string, after: string) => {
      const all = (await simControl(cloud.sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>;
      const trigger = { type: "task", upstreamId: all.find((x) => x.name === after)!.id, on: "succeeded" };
      await simControl(cloud.sim, "POST", "/cloud/tasks", { name, appId: apps.find((a) => a.name === app)!.id, trigger });
    };
    await chain("Model after Extract", "Model", "Extract hourly");
    await chain("Report after Model", "Report", "Model after Extract");
    await t.app.start();
    const tasks = (await simControl(cloud.sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>;
    const patch = (name: string, body: unknown) => simControl(cloud.sim, "PATCH", `/cloud/tasks/${tasks.find((x) => x.name === name)!.id}`, body);
    // Three hours of normal runs to learn from, then six hours of trouble, then two of normal runs again.
    await cloud.clock.runUntil(START + 3 * HOUR);
    await patch("Sales hourly", { enabled: false, updatedBy: "6571e4a1b2c3d4e5f6a7b8aa" });
    await patch("Budget hourly", { paused: true });
    for (const n of ["Orders hourly", "Finance hourly", "HR hourly"]) await patch(n, { outcome: "fail", failure: DWH });
    await patch("Stock hourly", { outcome: "fail" });
    await patch("Extract hourly", { outcome: "fail" });
    await cloud.clock.runUntil(START + 9 * HOUR);
    await patch("Sales hourly", { enabled: true });
    await patch("Budget hourly", { paused: false });
    for (const n of ["Orders hourly", "Finance hourly", "HR hourly", "Stock hourly", "Extract hourly"]) await patch(n, { outcome: "succeed" });
    await cloud.clock.runUntil(START + 11 * HOUR);
    troubleOver = rx.requests.length;
    causesThen = ((await (await t.request("/v4/causes?status=closed")).json()) as { causes: typeof causesThen }).causes;
    // Then the tenant's whole scheduler is paused for two hours (19:00:30–21:00:30): seven scheduled tasks miss their runs.
    await simControl(cloud.sim, "POST", "/cloud/scheduler/pause");
    await cloud.clock.runUntil(START + 13 * HOUR);
    await simControl(cloud.sim, "POST", "/cloud/scheduler/resume");
    await cloud.clock.runUntil(START + 15 * HOUR);
  }, 600_000);

  describe(`Qlik Cloud causes, six simulated hours of trouble (${backend})`, () => {
    test("ten pages in all: each of the five causes opened and recovered, nothing else", () => {
      expect(pages()).toHaveLength(10);
    });

    test("the task an administrator paused: one page naming the task, tenant and app, one when it runs again", () => {
      expect(aboutApp("Sales").map(line)).toEqual([
        'task.disabled open: Qlik Cloud task "Sales hourly" on tenant corp-cloud turned off (paused)',
        'task.on_track closed: Qlik Cloud task "Sales hourly" on tenant corp-cloud turned off (paused)',
      ]);
      const [opened] = aboutApp("Sales");
      expect(opened!.cause).toMatchObject({ tasks: ["Sales hourly"], apps: ["Sales"] });
    });

    test("the task whose schedule was paused (its runs lost): one page, one when it runs again", () => {
      expect(aboutApp("Budget").map(line)).toEqual([
        'task.missed open: Qlik Cloud task "Budget hourly" on tenant corp-cloud did not start',
        'task.on_track closed: Qlik Cloud task "Budget hourly" on tenant corp-cloud did not start',
      ]);
    });

    test("three reloads failing on one data connection: one page, and the recovered page names the three", () => {
      const dwh = pages().filter((p) => p.cause?.title === "connection errors from DWH");
      expect(dwh.map((p) => `${p.kind} ${p.cause?.status}`)).toEqual(["task.failed open", "task.recovered closed"]);
      expect(dwh[1]!.cause!.tasks).toEqual(["Finance (Qlik Cloud reload)", "HR (Qlik Cloud reload)", "Orders (Qlik Cloud reload)"]);
      expect(dwh[1]!.cause!.apps).toEqual(["Finance", "HR", "Orders"]);
    });

    test("a task failing every hour pages once until it recovers; a renotify: every route gets each failure", () => {
      expect(aboutApp("Stock").map(line)).toEqual([
        "task.failed open: Reloads of Stock failing on Qlik Cloud tenant corp-cloud",
        "task.recovered closed: Reloads of Stock failing on Qlik Cloud tenant corp-cloud",
      ]);
      const butler = aboutApp("Stock", "/butler").map((p) => p.kind);
      expect(butler).toEqual([...Array(6).fill("task.failed"), "task.recovered"]);
    });

    test("a route with pageAfter: the 3rd failure is its page, and the cause's recovery follows it there", () => {
      const flaky = aboutApp("Stock", "/flaky");
      expect(flaky.map(line)).toEqual([
        "task.failed open: Reloads of Stock failing on Qlik Cloud tenant corp-cloud",
        "task.recovered closed: Reloads of Stock failing on Qlik Cloud tenant corp-cloud",
      ]);
      expect((flaky[0] as Page & { consecutiveFailures?: number }).consecutiveFailures).toBe(3);
    });

    test("a failed upstream in a Cloud chain: one page naming the tasks after it, which do not run; one when it is back", () => {
      expect(aboutApp("Extract").map(line)).toEqual([
        "task.failed open: Reloads of Extract failing on Qlik Cloud tenant corp-cloud: the tasks after them do not run",
        "task.recovered closed: Reloads of Extract failing on Qlik Cloud tenant corp-cloud: the tasks after them do not run",
      ]);
      expect(aboutApp("Extract")[0]!.cause!.tasks).toEqual(["Extract (Qlik Cloud reload)", "Model after Extract", "Report after Model"]);
    });

    test("the causes list what they held: the stale apps are symptoms, not pages", async () => {
      const causes = causesThen;
      const kinds = async (title: string) => {
        const id = causes.find((c) => c.title.startsWith(title))!.id;
        const view = (await (await t!.request(`/v4/causes/${id}`)).json()) as { symptoms: Array<{ kind: string }> };
        return [...new Set(view.symptoms.map((s) => s.kind))].sort();
      };
      expect(causes).toHaveLength(5);
      expect(await kinds('Qlik Cloud task "Sales hourly"')).toEqual(["app.stale", "task.disabled"]);
      expect(await kinds('Qlik Cloud task "Budget hourly"')).toEqual(["app.stale", "task.missed"]);
      expect(await kinds("connection errors from DWH")).toEqual(["app.stale", "task.failed"]);
      expect(await kinds("Reloads of Stock")).toEqual(["app.stale", "task.failed"]);
    });
  });

  describe(`Qlik Cloud: the tenant's scheduler paused for two hours (${backend})`, () => {
    test("the first missed start pages on its own, the second opens the tenant's cause; one update, one recovered page each", () => {
      const later = pages("/hook", true);
      expect(later.map(line)).toEqual([
        'task.missed open: Qlik Cloud task "Sales hourly" on tenant corp-cloud did not start',
        "task.missed open: no task starts on Qlik Cloud tenant corp-cloud",
        // The cause reached three more tasks 30 minutes after its page: the update a growing cause sends (grouping.updates).
        "task.missed update: no task starts on Qlik Cloud tenant corp-cloud",
        'task.on_track closed: Qlik Cloud task "Sales hourly" on tenant corp-cloud did not start',
        "task.on_track closed: no task starts on Qlik Cloud tenant corp-cloud",
      ]);
      expect(later[2]!.cause!.update!.tasks).toEqual(["Budget hourly", "Extract hourly", "Stock hourly"]);
    });

    test("the tenant's cause names every task that did not start", async () => {
      const causes = ((await (await t!.request("/v4/causes?status=closed")).json()) as { causes: Array<{ id: number; title: string }> }).causes;
      const id = causes.find((c) => c.title === "no task starts on Qlik Cloud tenant corp-cloud")!.id;
      const view = (await (await t!.request(`/v4/causes/${id}`)).json()) as { symptoms: Array<{ kind: string; task?: string }> };
      const missed = view.symptoms.filter((s) => s.kind === "task.missed").map((s) => s.task);
      expect([...new Set(missed)].sort()).toEqual([
        "Budget hourly",
        "Extract hourly",
        "Finance hourly",
        "HR hourly",
        "Orders hourly",
        "Sales hourly",
        "Stock hourly",
      ]);
    });
  });
}

for (const backend of ["sqlite", "postgres"] as const) describe(backend, () => scenario(backend));
