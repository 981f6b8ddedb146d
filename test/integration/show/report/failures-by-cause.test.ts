// Issue 74, item 2: the report's "Failures by cause" tells the same story as the causes. On the simulator and a stepped
// clock shared with Steward, after a Monday night that ran well but for Extract and Late 1–2: Extract fails at 01:50 on Central (Transform waits for it: an upstream cause, still open).
// On Reload01 (two engines, queue timeout 30 minutes) two 32-minute loads take both engines at 02:00; Wait 1–3 queue
// from 02:00 and Qlik cancels them at 02:30 (the queue's cause); Late 1 and Late 2 queue from 02:05, are listed with
// the backlog as waiting, run at 02:32 and fail for reasons of their own (a SQL 08001 connection error, a missing QVD).
// The report of 02:00–06:00 lists the queue's cause with exactly its cancelled runs, the two own failures as causes of
// one task each, and the upstream cause (opened before the span, still open), the same in GET /v4/report, /ui/report,
// `steward report` and MCP `summary`.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { unmarkSiteData } from "../../../helpers/site-data";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { sendDatagramsTo, type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const MAIN = join(import.meta.dir, "../../../../src/main.ts");
const MIN = 60_000;
const START = Date.parse("2026-03-02T01:30:00Z"); // Monday
const TUESDAY = Date.parse("2026-03-03T01:30:00Z");
const FROM = "2026-03-03T02:00:00Z";
const TO = "2026-03-03T06:00:00Z";
const SQL_08001 = "SQL##f - SqlState: 08001, ErrorCode: 17, ErrorMsg: [Microsoft][ODBC SQL Server Driver][DBNETLIB]SQL Server does not exist or access denied.";
const NO_QVD = "Cannot open file: 'lib://Data/orders/orders.qvd' The system cannot find the file specified.";

const daily = (hhmm: string) => `{ type: schema, name: Daily ${hhmm}, incrementOption: daily, startDate: "2026-02-01T${hhmm}:00.000", timeZone: UTC }`;
const onReload01 = (name: string, minutes: number, hhmm: string, fail = "") =>
  `  - { name: ${name}, type: reload, app: ${name} app, node: Reload01, durationMs: ${minutes * MIN}, triggers: [${daily(hhmm)}]${fail} }`;
const SITE = `site: { name: Failures by cause }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 2, engineTimeout: 30 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Ops }]
apps:
${["Long A", "Long B", "Wait 1", "Wait 2", "Wait 3", "Late 2", "Extract", "Transform"].map((n) => `  - { name: ${n} app, owner: CORP\\anna, stream: Ops }`).join("\n")}
  - { name: Late 1 app, owner: CORP\\anna, stream: Ops, script: "Orders: SQL SELECT * FROM dbo.Orders;" }
tasks:
${["Long A", "Long B"].map((n) => onReload01(n, 32, "02:00")).join("\n")}
${["Wait 1", "Wait 2", "Wait 3"].map((n) => onReload01(n, 5, "02:00")).join("\n")}
${onReload01("Late 1", 5, "02:05", `, outcome: fail, scriptError: "${SQL_08001}"`)}
${onReload01("Late 2", 5, "02:05", `, outcome: fail, scriptError: "${NO_QVD}"`)}
  - { name: Extract, type: reload, app: Extract app, durationMs: ${2 * MIN}, outcome: fail, scriptError: "Field 'OrderKey' not found", triggers: [${daily("01:50")}] }
  - { name: Transform, type: reload, app: Transform app, durationMs: ${2 * MIN}, triggers: [{ type: composite, name: After Extract, rules: [{ task: Extract, state: success }] }] }
`;

const dir = createTempDir("steward-failures-by-cause-");
const key = generateApiKey();
const adminKey = generateApiKey();
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let base: string;

beforeAll(async () => {
  rx = startHttpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  t = createTestApp(
    `${qlikYaml(sim)}watchdog: {}
security:
  apiKeys:
    - { name: key-read, hash: "${hashApiKey(key)}", scopes: [read] }
    - { name: key-admin, hash: "${hashApiKey(adminKey)}", scopes: [admin] }
mcp: { enabled: true }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog, task.missed, task.chain_broken, app.stale, task.on_track], to: [hook] }
  - { on: [task.failed, task.aborted, task.recovered], to: [hook] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  base = t.app.server!.url().replace(/\/$/, "");
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
  // Monday: a node big enough for the night (Steward learns which node runs what); Tuesday: two engines.
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 10 });
  await clock.runUntil(TUESDAY);
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  await clock.runUntil(Date.parse(TO) + MIN);
}, 300_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
});

interface Report {
  sections: Array<{ title: string; lines: Array<{ text: string; tone?: string }> }>;
  summary: string;
}
const get = async <T>(path: string): Promise<T> => {
  const res = await t!.request(path, { headers: { "x-api-key": key } });
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return (await res.json()) as T;
};
const failuresOf = (r: Report) => r.sections.find((x) => x.title === "Failures by cause")!.lines;

test("the simulator's night: Wait 1–3 cancelled in the queue, Late 1 and 2 failed after waiting, Extract failed before", () => {
  const ended = (name: string) => s!.finished.filter((r) => r.task === name && r.stopMs >= TUESDAY).map((r) => r.status);
  for (const n of ["Wait 1", "Wait 2", "Wait 3", "Late 1", "Late 2", "Extract"]) expect({ n, status: ended(n) }).toEqual({ n, status: [8] });
  const late = s!.finished.find((r) => r.task === "Late 1" && r.stopMs >= TUESDAY)!;
  expect(late.startMs).toBe(Date.parse("2026-03-03T02:32:00Z"));
});

test("each cause with exactly its members: the queue's cancelled runs, the two own failures apart, the open upstream cause", async () => {
  const r = await get<Report>(`/v4/report?from=${FROM}&to=${TO}`);
  expect(failuresOf(r).map((l) => l.text)).toEqual([
    expect.stringMatching(/^reload queue backed up on reload01 \(3 failed runs, ended Tue 3 Mar 02:3\d\): Wait 1, Wait 2, Wait 3; 2 more tasks held up$/),
    "Late 1 failed: connection (1 failed run, still open)",
    "Late 2 failed: file (1 failed run, still open)",
    "Extract failed: the tasks after it do not run (0 failed runs, still open): Extract; 1 more task held up",
  ]);
  expect(r.summary).toContain("5 of 7 runs failed or aborted (3 causes)");
  // The causes are the ones the Causes page and GET /v4/causes hold, under the same titles.
  const { causes } = await get<{ causes: Array<{ title: string; status: string }> }>("/v4/causes");
  expect(causes.map((c) => `${c.title}: ${c.status}`).sort()).toEqual([
    "Extract failed: the tasks after it do not run: open",
    "reload queue backed up on reload01: closed",
  ]);
});

/** `steward …` as a child (asynchronously: the Steward it asks runs in this process). */
async function steward(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

test("/ui/report, steward report and MCP summary give the same lines as GET /v4/report", async () => {
  const lines = failuresOf(await get<Report>(`/v4/report?from=${FROM}&to=${TO}`)).map((l) => l.text);
  expect(lines).toHaveLength(4);
  const page = await (await t!.request(`/ui/report?from=${FROM}&to=${TO}`, { headers: { "x-api-key": key, accept: "text/html" } })).text();
  for (const l of lines) expect(page).toContain(l);
  const cli = await steward(["report", "--url", base, "--api-key", key, "--from", FROM, "--to", TO]);
  expect({ code: cli.code, err: cli.err }).toEqual({ code: 0, err: "" });
  const section = cli.out.slice(cli.out.indexOf("Failures by cause\n"));
  expect(
    section
      .split("\n")
      .slice(1, 5)
      .map((l) => l.slice(4)),
  ).toEqual(lines);
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": key } } }));
  try {
    const answer = (await client.callTool({ name: "summary", arguments: { from: FROM, to: TO } })) as { structuredContent: Report };
    // The lines quote task names: marked as the site's (issue 75, M1), the same text inside the marks.
    expect(failuresOf(unmarkSiteData(answer.structuredContent) as Report).map((l) => l.text)).toEqual(lines);
  } finally {
    await client.close();
  }
}, 60_000);

interface Group {
  cause: { id: number; title: string; status: string } | null;
  incidents: Array<{ id: number; title: string; errorClass: string | null; cause: { id: number } | null; acknowledgedBy: string | null }>;
}

test("one incident per cause: the incidents by cause, MCP causes and the report tell the same causes with the same tasks", async () => {
  const { causes: groups } = await get<{ causes: Group[] }>("/v4/incidents/by-cause");
  const told = groups.map((g) => (g.cause ? `${g.cause.title}: ${g.incidents.map((i) => i.title).join(", ")}` : `${g.incidents[0]!.title} alone`));
  // The queue's cancelled runs stay its incidents after it ended (the tasks wait for their next trigger), not three of
  // their own; Late 1 and 2 failed for their own reasons: each a cause of one.
  expect(told.sort()).toEqual([
    "Extract failed: the tasks after it do not run: Extract",
    "Late 1 alone",
    "Late 2 alone",
    "reload queue backed up on reload01: Wait 1, Wait 2, Wait 3",
  ]);
  for (const g of groups) for (const i of g.incidents) expect(i.cause?.id ?? null).toBe(g.cause?.id ?? null);
  // The report's lines name the same causes, each with the same tasks.
  const lines = failuresOf(await get<Report>(`/v4/report?from=${FROM}&to=${TO}`)).map((l) => l.text);
  for (const g of groups) {
    if (g.cause) {
      const line = lines.find((l) => l.startsWith(`${g.cause!.title} (`));
      expect({ cause: g.cause.title, line }).toEqual({ cause: g.cause.title, line: expect.any(String) });
      for (const i of g.incidents) expect(line).toContain(i.title);
    } else {
      const own = `${g.incidents[0]!.title} failed: ${g.incidents[0]!.errorClass} (`;
      expect({ own, told: lines.some((l) => l.startsWith(own)) }).toEqual({ own, told: true });
    }
  }
  // MCP causes: every cause holding an open incident (the ended queue too), and the lone failures beside them.
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": key } } }));
  try {
    const answer = (await client.callTool({ name: "causes", arguments: {} })) as {
      structuredContent: { causes: Array<{ id: number }>; alone: Array<{ title: { siteData: string } }> };
    };
    const held = groups.filter((g) => g.cause).map((g) => g.cause!.id);
    expect(answer.structuredContent.causes.map((c) => c.id).sort()).toEqual(held.sort());
    expect(answer.structuredContent.alone.map((i) => i.title.siteData).sort()).toEqual(["Late 1", "Late 2"]);
  } finally {
    await client.close();
  }
}, 60_000);

test("acknowledging one incident of the ended queue cause acknowledges its other incidents, and nothing else", async () => {
  const { causes: groups } = await get<{ causes: Group[] }>("/v4/incidents/by-cause");
  const queue = groups.find((g) => g.cause?.title === "reload queue backed up on reload01")!;
  const res = await t!.request(`/v4/incidents/${queue.incidents[0]!.id}/acknowledge`, {
    method: "POST",
    headers: { "x-api-key": adminKey, "content-type": "application/json" },
    body: JSON.stringify({ note: "rerun after the queue" }),
  });
  expect(res.status).toBe(200);
  const after = (await get<{ causes: Group[] }>("/v4/incidents/by-cause")).causes;
  const acked = after.flatMap((g) => g.incidents.map((i) => [i.title, i.acknowledgedBy !== null]));
  expect(acked.sort()).toEqual([
    ["Extract", false],
    ["Late 1", false],
    ["Late 2", false],
    ["Wait 1", true],
    ["Wait 2", true],
    ["Wait 3", true],
  ]);
});
