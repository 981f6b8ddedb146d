// Issue 74, done-when 2: one night, one incident per cause, the same everywhere. On the simulator and a stepped clock
// shared with Steward (one-night-site.ts): Reload02 is down from 02:50 (its Scheduler service reported stopped), so
// Night 1 and 2 never start at 03:05; Extract fails at 01:50 and Transform waits for it (a failed upstream); Reload01's
// queue backs up at 02:00 and Qlik cancels Wait 1–3 at 02:30 (the queue's cause, ended at 02:32 while they still
// fail); Late 1 and 2 fail on their own. The dashboard's Incidents page, GET /v4/incidents/by-cause, MCP `causes` and
// the report's "Failures by cause" (the morning report's mail, GET /v4/report, /ui/report) hold the same causes with
// the same members. The Acknowledge link of the upstream cause's page, read out of the mail the SMTP server received
// and confirmed as its page does, acknowledges that incident in all four; the node's page carries no link (a cause
// with no task incident), so its cause is acknowledged through the REST route, and read back the same way.
// The report of Tuesday 02:00–06:00 (issue 74, item 2) lists the queue's cause with exactly its cancelled runs, the
// two own failures as causes of one task each and the upstream cause opened before the span, the same in GET
// /v4/report, /ui/report, `steward report` and MCP `summary`; acknowledging one incident of the ended queue cause
// acknowledges its other incidents and nothing else.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { syntheticServiceEvent } from "../../../../src/tell/notify/samples";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";
import { dashboardGroups, mcpTool, stewardCli } from "./one-night-reads";
import { FROM, MIN, ONE_NIGHT_SITE, START, TO, TUESDAY } from "./one-night-site";

const BASE = "https://steward.corp.example";
const dir = createTempDir("steward-one-night-");
const key = generateApiKey();
const adminKey = generateApiKey();
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver;
let base: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, START, ONE_NIGHT_SITE);
  const { sim, clock } = s;
  const kinds =
    "scheduler.queue_backlog, task.missed, task.chain_broken, app.stale, task.on_track, task.failed, task.aborted, task.recovered, service.stopped, service.started";
  t = createTestApp(
    `${qlikYaml(sim)}watchdog: {}
security:
  apiKeys:
    - { name: key-read, hash: "${hashApiKey(key)}", scopes: [read] }
    - { name: key-admin, hash: "${hashApiKey(adminKey)}", scopes: [admin] }
mcp: { enabled: true }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [${kinds}], to: [mail] }
  - { on: [report.morning], to: [mail] }
actionLinks: { publicBaseUrl: "${BASE}" }
# The service monitor's report alone: QRS's service states would open the same cause.
grouping: { nodeDown: { unreachable: { enabled: false } } }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  base = t.app.server!.url().replace(/\/$/, "");
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
  // Monday: nodes big enough for the night (Steward learns which node runs what); Tuesday: two engines on Reload01.
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 10 });
  await clock.runUntil(TUESDAY);
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  await clock.runUntil(TUESDAY + 80 * MIN);
  await simControl(sim, "POST", "/nodes/Reload02/down");
  const stopped = syntheticServiceEvent({ state: "stopped", host: "reload02.test.example", service: "QlikSenseSchedulerService", nowMs: clock.now() });
  await t.app.bus.emit("service.stopped", stopped);
  // The morning report goes out at 07:00 (this machine's zone in the tests: UTC).
  await clock.runUntil(Date.parse(TO) + 5 * MIN);
}, 300_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await smtp?.stop();
});

const get = async <T>(path: string): Promise<T> => {
  const res = await t!.request(path, { headers: { "x-api-key": key } });
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return (await res.json()) as T;
};

interface Incident {
  id: number;
  title: string;
  errorClass: string | null;
  taskId: string | null;
  acknowledgedBy: string | null;
}
interface Group {
  cause: { id: number; title: string; status: string; acknowledgedBy: string | null } | null;
  incidents: Array<Incident & { cause: { id: number } | null }>;
}
/** One cause's members as a place tells them: the cause (or "own" for a cause of one), its incidents' ids. */
type Told = Record<string, number[]>;
const told = (entries: Array<[string, number[]]>): Told => Object.fromEntries(entries.map(([k, ids]) => [k, [...ids].sort((a, b) => a - b)]));
const keyOf = (causeId: number | null, incidents: Array<{ id: number }>) => (causeId === null ? `own ${incidents[0]!.id}` : `cause ${causeId}`);

const byCause = async () => (await get<{ causes: Group[] }>("/v4/incidents/by-cause")).causes;

const dashboard = () => dashboardGroups(t!, key);
const mcp = <T>(tool: string, args: Record<string, unknown>) => mcpTool<T>(base, key, tool, args);
interface McpCauses {
  causes: Array<{ id: number; title: string; status: string; ended?: string; acknowledgedBy: string | null; incidents: Incident[] }>;
  alone: Incident[];
}

interface Report {
  sections: Array<{ title: string; lines: Array<{ text: string }> }>;
  summary: string;
}
const failuresOf = (r: Report) => r.sections.find((x) => x.title === "Failures by cause")!.lines.map((l) => l.text);
const reportLines = async (from = FROM, to = TO) => failuresOf(await get<Report>(`/v4/report?from=${from}&to=${to}`));
/** Tuesday's night alone: the upstream cause was opened before it (Extract failed at 01:50). */
const NIGHT = { from: "2026-03-03T02:00:00Z", to: "2026-03-03T06:00:00Z" };

test("the simulator's night: Wait 1–3 cancelled in the queue, Late 1 and 2 and Extract failed, Night 1 and 2 never started", () => {
  const ended = (name: string) => s!.finished.filter((r) => r.task === name && r.stopMs >= TUESDAY).map((r) => r.status);
  for (const n of ["Wait 1", "Wait 2", "Wait 3", "Late 1", "Late 2", "Extract"]) expect({ n, status: ended(n) }).toEqual({ n, status: [8] });
  for (const n of ["Night 1", "Night 2"]) {
    expect({ n, status: ended(n) }).toEqual({ n, status: [] });
    expect(s!.finished.some((r) => r.task === n && r.stopMs < TUESDAY)).toBe(true); // it ran on Monday
  }
  const late = s!.finished.find((r) => r.task === "Late 1" && r.stopMs >= TUESDAY)!;
  expect(late.startMs).toBe(Date.parse("2026-03-03T02:32:00Z"));
});

test("one incident per cause, the same members on the dashboard, in the incidents API, in MCP causes and in the report", async () => {
  const groups = await byCause();
  const title = new Map(groups.flatMap((g) => g.incidents.map((i) => [i.id, i.title] as const)));
  const names = (ids: number[]) => ids.map((id) => title.get(id));
  const api = told(groups.map((g) => [keyOf(g.cause?.id ?? null, g.incidents), g.incidents.map((i) => i.id)]));
  const causeId = (t: string) => groups.find((g) => g.cause?.title === t)!.cause!.id;
  const [upstream, node, queue] = ["Extract failed: the tasks after it do not run", "Qlik services down on reload02", "reload queue backed up on reload01"].map(
    causeId,
  );
  // The node down holds no task incident (its tasks never ran): its stopped service and its two missed starts are
  // incidents of their own under it (issue 84), so every list counts them alike.
  expect(Object.fromEntries(Object.entries(api).map(([k, ids]) => [k, names(ids)]))).toEqual({
    [`cause ${upstream}`]: ["Extract"],
    [`cause ${node}`]: ["Qlik Sense Scheduler Service stopped on reload02.test.example", "Task did not start: Night 1", "Task did not start: Night 2"],
    [`cause ${queue}`]: ["Wait 1", "Wait 2", "Wait 3"],
    [`own ${[...title].find(([, n]) => n === "Late 1")![0]}`]: ["Late 1"],
    [`own ${[...title].find(([, n]) => n === "Late 2")![0]}`]: ["Late 2"],
  });
  expect(groups.find((g) => g.cause?.id === queue)!.cause!.status).toBe("closed");
  for (const g of groups)
    for (const i of g.incidents) expect({ incident: i.title, cause: i.cause?.id ?? null }).toEqual({ incident: i.title, cause: g.cause?.id ?? null });

  const ui = await dashboard();
  expect(told(ui.map((g) => [keyOf(g.causeId, g.rows), g.rows.map((r) => r.id)]))).toEqual(api);

  const m = await mcp<McpCauses>("causes", {});
  expect(
    told([
      ...m.causes.map((c): [string, number[]] => [`cause ${c.id}`, c.incidents.map((i) => i.id)]),
      ...m.alone.map((i): [string, number[]] => [`own ${i.id}`, [i.id]]),
    ]),
  ).toEqual(api);
  // The ended queue cause is listed, marked so, beside the open ones.
  expect(m.causes.find((c) => c.id === queue)).toMatchObject({
    status: "closed",
    ended: expect.stringMatching(/^ended 2026-03-03T02:3\d.*still wait for a good run$/),
  });

  // The report: one line per cause, each naming its incidents' tasks (a cause of one: its task and error class).
  const lines = await reportLines();
  expect(lines).toEqual([
    expect.stringMatching(/^reload queue backed up on reload01 \(3 failed runs, ended Tue 3 Mar 02:3\d\): Wait 1, Wait 2, Wait 3; 2 more tasks held up$/),
    "Extract failed: the tasks after it do not run (1 failed run, still open): Extract; 1 more task held up",
    "Late 1 failed: connection (1 failed run, still open)",
    "Late 2 failed: file (1 failed run, still open)",
    "Qlik services down on reload02 (still open): Night 1, Night 2",
  ]);
  for (const g of groups) {
    const head = g.cause ? `${g.cause.title} (` : `${g.incidents[0]!.title} failed: ${g.incidents[0]!.errorClass} (`;
    const line = lines.find((l) => l.startsWith(head));
    expect({ head, line }).toEqual({ head, line: expect.any(String) });
    // A task's incident is named by its task; a condition's (a missed start) by the task it names.
    for (const i of g.incidents) if (i.taskId) expect(line).toContain(i.title);
  }
  const page = await (await t!.request(`/ui/report?from=${FROM}&to=${TO}`, { headers: { "x-api-key": key, accept: "text/html" } })).text();
  for (const l of lines) expect(page).toContain(l);
  // The morning report the mail server received tells the night the same way.
  const morning = smtp.mails.find((x) => x.mail.subject === "[Qlik Sense] Morning report, Tue, 3 Mar 2026")!.mail.text ?? "";
  const section = morning.slice(morning.indexOf("Failures by cause\n"));
  expect(section.slice(0, section.indexOf("\n\n")).split("\n").slice(2)).toEqual(lines.map((l) => `- ${l}`));
}, 60_000);

test("the report of the night alone (02:00–06:00): each cause with exactly its members, the same in /ui/report, steward report and MCP summary", async () => {
  const r = await get<Report>(`/v4/report?from=${NIGHT.from}&to=${NIGHT.to}`);
  const lines = failuresOf(r);
  expect(lines).toEqual([
    expect.stringMatching(/^reload queue backed up on reload01 \(3 failed runs, ended Tue 3 Mar 02:3\d\): Wait 1, Wait 2, Wait 3; 2 more tasks held up$/),
    "Late 1 failed: connection (1 failed run, still open)",
    "Late 2 failed: file (1 failed run, still open)",
    "Extract failed: the tasks after it do not run (still open): Extract; 1 more task held up",
    "Qlik services down on reload02 (still open): Night 1, Night 2",
  ]);
  expect(r.summary).toContain("5 of 7 runs failed or aborted (3 causes)");
  // The causes are the ones the Causes page and GET /v4/causes hold, under the same titles.
  const { causes } = await get<{ causes: Array<{ title: string; status: string }> }>("/v4/causes");
  expect(causes.map((c) => `${c.title}: ${c.status}`).sort()).toEqual([
    "Extract failed: the tasks after it do not run: open",
    "Qlik services down on reload02: open",
    "reload queue backed up on reload01: closed",
  ]);

  const page = await (await t!.request(`/ui/report?from=${NIGHT.from}&to=${NIGHT.to}`, { headers: { "x-api-key": key, accept: "text/html" } })).text();
  for (const l of lines) expect(page).toContain(l);
  const cli = await stewardCli(["report", "--url", base, "--api-key", key, "--from", NIGHT.from, "--to", NIGHT.to]);
  expect({ code: cli.code, err: cli.err }).toEqual({ code: 0, err: "" });
  const section = cli.out.slice(cli.out.indexOf("Failures by cause\n"));
  expect(
    section
      .split("\n")
      .slice(1, lines.length + 1)
      .map((l) => l.slice(4)),
  ).toEqual(lines);
  // The lines quote task names: marked as the site's (issue 75, M1), the same text inside the marks.
  expect(failuresOf(await mcp<Report>("summary", { from: NIGHT.from, to: NIGHT.to }))).toEqual(lines);
}, 60_000);

test("GET /v4/runs and MCP runs say which incident and which cause each run belongs to", async () => {
  const groups = await byCause();
  const incidentOf = (name: string) => groups.flatMap((g) => g.incidents.map((i) => ({ i, cause: g.cause?.id ?? null }))).find((x) => x.i.title === name)!;
  const taskId = (name: string) => [...s!.sim.repo.tasks.values()].find((x) => x.model.name === name)!.model.id;
  // Monday: Wait 1 succeeded (no incident), Late 1 failed on its own (its incident opened then), Extract's failure
  // opened the upstream cause; Tuesday: each failure is its open incident's, and its cause's.
  const id = (name: string) => incidentOf(name).i.id;
  const upstream = incidentOf("Extract").cause;
  const queue = incidentOf("Wait 1").cause;
  const want: Record<string, Array<[string, string, number | null, number | null]>> = {
    "Wait 1": [
      ["tuesday", "failed", id("Wait 1"), queue],
      ["monday", "succeeded", null, null],
    ],
    "Late 1": [
      ["tuesday", "failed", id("Late 1"), null],
      ["monday", "failed", id("Late 1"), null],
    ],
    Extract: [
      ["tuesday", "failed", id("Extract"), upstream],
      ["monday", "failed", id("Extract"), upstream],
    ],
  };
  for (const name of Object.keys(want)) {
    const { runs } = await get<{ runs: Array<{ outcome: string; finishedAt: string; incidentId: number | null; causeId: number | null }> }>(
      `/v4/runs?taskId=${taskId(name)}&scriptLog=none`,
    );
    const day = (r: { finishedAt: string }) => (Date.parse(r.finishedAt) >= TUESDAY ? "tuesday" : "monday");
    expect({ name, runs: runs.map((r) => [day(r), r.outcome, r.incidentId, r.causeId]) }).toEqual({ name, runs: want[name]! });
    const m = await mcp<{ runs: Array<{ incidentId: number | null; causeId: number | null }> }>("runs", { taskId: taskId(name), scriptLog: "none" });
    expect(m.runs.map((r) => [r.incidentId, r.causeId])).toEqual(runs.map((r) => [r.incidentId, r.causeId]));
  }
}, 60_000);

test("the Acknowledge link of each cause's page, from the mail, acknowledges that cause in all four places", async () => {
  const groups = await byCause();
  /** Presses a cause's Acknowledge as a browser does: the landing page (a GET acts not), then its form posted back, Origin null. */
  const acknowledgeFromMail = async (causeId: number) => {
    const mail = smtp.mails.find((x) => x.mail.subject?.includes(`[Open: cause #${causeId}, `))!;
    const link = [...(mail.mail.html ?? "").matchAll(/https:\/\/steward\.corp\.example(\/act\/(?:cause|incident)\/\d+\?[^\s"<>]+)/g)]
      .map((x) => x[1]!.replaceAll("&amp;", "&"))
      .find((l) => new URLSearchParams(l.split("?")[1]).get("a") === "ack")!;
    // Every cause's page names the cause, whatever opened it (a failed upstream, a node down holding no task incident).
    expect(link.startsWith(`/act/cause/${causeId}?`)).toBe(true);
    const landing = await fetch(`${base}${link}`);
    expect(await landing.text()).toContain('<form method="post">');
    const done = await fetch(`${base}${link}`, {
      method: "POST",
      headers: { origin: "null", "content-type": "application/x-www-form-urlencoded" },
      body: "confirm=ack",
    });
    expect({ status: done.status, body: await done.text() }).toMatchObject({ status: 200, body: expect.stringContaining("Done") });
  };
  const upstream = groups.find((g) => g.cause?.title.startsWith("Extract failed"))!;
  await acknowledgeFromMail(upstream.cause!.id);
  // The node's cause through its REST route (the dashboard's and the assistant's way), its page's link being the same.
  const node = groups.find((g) => g.cause?.title === "Qlik services down on reload02")!.cause!;
  const res = await t!.request(`/v4/causes/${node.id}/acknowledge`, {
    method: "POST",
    headers: { "x-api-key": adminKey, "content-type": "application/json" },
    body: JSON.stringify({ note: "server restarting" }),
  });
  expect(res.status).toBe(200);

  const who = "ops@corp.example";
  const want = { [upstream.cause!.id]: who, [node.id]: "key-admin" } as Record<number, string>;
  const after = await byCause();
  expect(after.map((g) => [g.cause?.id ?? null, g.cause?.acknowledgedBy ?? null, g.incidents.map((i) => i.acknowledgedBy)])).toEqual(
    after.map((g) => [g.cause?.id ?? null, g.cause ? (want[g.cause.id] ?? null) : null, g.incidents.map(() => (g.cause ? (want[g.cause.id] ?? null) : null))]),
  );
  const ui = await dashboard();
  expect(ui.map((g) => [g.causeId, g.causeAckBy, g.rows.map((r) => r.ackBy)])).toEqual(
    after.map((g) => [g.cause?.id ?? null, g.cause ? (want[g.cause.id] ?? null) : null, g.incidents.map((i) => i.acknowledgedBy)]),
  );
  const m = await mcp<McpCauses>("causes", {});
  for (const c of m.causes)
    expect([c.id, c.acknowledgedBy, c.incidents.map((i) => i.acknowledgedBy)]).toEqual([c.id, want[c.id] ?? null, c.incidents.map(() => want[c.id] ?? null)]);
  expect(m.alone.map((i) => i.acknowledgedBy)).toEqual([null, null]);
  const lines = await reportLines();
  expect(lines.filter((l) => l.includes("acknowledged by"))).toEqual([
    `Extract failed: the tasks after it do not run (1 failed run, still open, acknowledged by ${who}): Extract; 1 more task held up`,
    "Qlik services down on reload02 (still open, acknowledged by key-admin): Night 1, Night 2",
  ]);
}, 60_000);

test("acknowledging one incident of the ended queue cause acknowledges its other incidents, and nothing else", async () => {
  const before = await byCause();
  const queue = before.find((g) => g.cause?.title === "reload queue backed up on reload01")!;
  const res = await t!.request(`/v4/incidents/${queue.incidents[0]!.id}/acknowledge`, {
    method: "POST",
    headers: { "x-api-key": adminKey, "content-type": "application/json" },
    body: JSON.stringify({ note: "rerun after the queue" }),
  });
  expect(res.status).toBe(200);
  const acks = (groups: Group[]) => Object.fromEntries(groups.flatMap((g) => g.incidents.map((i) => [i.title, i.acknowledgedBy])));
  // The earlier test acknowledged the upstream cause (and so Extract); only the queue's three change now.
  expect(acks(await byCause())).toEqual({ ...acks(before), "Wait 1": "key-admin", "Wait 2": "key-admin", "Wait 3": "key-admin" });
  // Before, key-admin had acknowledged only the node's cause, and with it its own incidents (its service, its missed starts).
  const nodeIncidents = new Set(before.filter((g) => g.cause?.title === "Qlik services down on reload02").flatMap((g) => g.incidents.map((i) => i.title)));
  expect(Object.entries(acks(before)).filter(([title, who]) => who === "key-admin" && !nodeIncidents.has(title))).toEqual([]);
});
