// Issue 68, items 1 and 2, with the official MCP SDK's client against the simulator: two reloads fail reading one
// refusing source (a cause), with script logs short enough that their failing lines sit in the kept head. `runs`,
// GET /v4/runs and `causes {id}` give those lines' text, not only their numbers; a job before Qlik that does not
// check in is in `what_did_not_happen` and in "Needs attention" on /ui/watchdog.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";
import { simCertDir } from "../../../helpers/sim-certs";
import { unmarkSiteData } from "../../../helpers/site-data";
import { startHttpReceiver, type HttpReceiver } from "../../tell/notify/receivers";
import { REFUSED, refusedSourceSite } from "../../../helpers/refused-source-site";

const ID = "6b1f3c2a-9d4e-4f5a-8b7c-1d2e3f4a6c";
const {
  yaml: SITE,
  tasks: [taskA, taskB],
} = refusedSourceSite("Failing lines", ID);
const TASK = { a: taskA, b: taskB };

const tmp = createTempDir("steward-mcp-lines-");
const key = generateApiKey();
let sim: Simulator;
let t: TestApp;
let base: string;
let client: Client;
let rx: HttpReceiver;

beforeAll(async () => {
  rx = startHttpReceiver();
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  t = createTestApp(
    [
      "http: { host: 127.0.0.1, port: 0 }",
      "udp: { host: 127.0.0.1, port: 0 }",
      `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)}, timeoutMs: 5000 }`,
      "watchdog: { stale: { enabled: false } }",
      // Due every 2 s (a 6-field cron), 1 s grace: missed within seconds of the start, as no job pings it.
      'checkins: { interval: 200ms, checks: { erp-extract: { key: "k-erp-extract-0123456789", cron: "*/2 * * * * *", grace: 1s, feeds: { appNames: [Ledger] } } } }',
      "security:",
      "  apiKeys:",
      `    - { name: key-read, hash: "${hashApiKey(key)}", scopes: [read] }`,
      "mcp: { enabled: true }",
      // Causes are decided on the way to a channel: the failures are routed to one.
      `channels: { hook: { type: webhook, url: "${rx.url}/hook" } }`,
      "routes: [{ on: [task.failed, checkin.missed], to: [hook] }]",
      "",
    ].join("\n"),
    { dir: join(tmp.path, "steward") },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  for (const id of [TASK.a, TASK.b]) expect(sim.tasks.start(id, { outcome: "fail", durationMs: 50 }).started).toBe(true);
  // Any open cause: the check-in nobody pings opens its own, which may come first on a loaded machine. Polled every
  // half second: faster polling met the API's rate limit (429) in a loaded CI run.
  await waitFor(
    async () =>
      (await rest<{ causes: Array<{ stillFailing: number }> }>("/v4/causes?status=open")).causes.some((c) => c.stillFailing === 2) ? true : undefined,
    { what: "one cause holding both failed runs", timeoutMs: wallLimit(30_000), intervalMs: 500 },
  );
  client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": key } } }));
}, wallLimit(60_000));

afterAll(async () => {
  await client?.close();
  await t?.close();
  await sim?.stop();
  await rx?.stop();
  tmp.remove();
});

async function rest<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { "x-api-key": key } });
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return (await res.json()) as T;
}

async function facts<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: unknown };
  expect(r.isError ?? false).toBe(false);
  // Script lines, task names and titles come marked as the site's (issue 75, M1): read here as the texts they hold.
  return unmarkSiteData(r.structuredContent) as T;
}

interface Lines {
  totalLines: number;
  failureLines: number[];
  failures: Array<{ n: number; text: string }>;
  lines: Array<{ n: number; text: string }>;
}

/** Every failing line the answer numbers is there with its text, and that text states the failure. */
function expectFailingText(log: Lines | undefined): void {
  expect(log).toBeDefined();
  expect(log!.failureLines.length).toBeGreaterThan(0);
  const byNumber = new Map(log!.lines.map((l) => [l.n, l.text]));
  for (const n of log!.failureLines) expect({ n, text: byNumber.get(n) !== undefined }).toEqual({ n, text: true });
  expect(log!.failures.map((f) => f.n)).toEqual(log!.failureLines);
  expect(log!.failures.some((f) => f.text.includes(REFUSED))).toBe(true);
  expect(log!.failures.some((f) => f.text.includes("Execution Failed"))).toBe(true);
}

test(
  "runs and GET /v4/runs give the failing lines' text, as the event page shows them",
  async () => {
    const viaTool = await facts<{ runs: Array<{ outcome: string; scriptLog?: Lines }> }>("runs", { taskId: TASK.a });
    const viaRest = await rest<{ runs: Array<{ outcome: string; scriptLog?: Lines }> }>(`/v4/runs?taskId=${TASK.a}&limit=10&scriptLog=failed`);
    expect(viaTool).toEqual(viaRest);
    const failed = viaRest.runs.find((r) => r.outcome === "failed");
    // The simulator's log is short: its failing lines are in the head the event keeps, not in its tail.
    expect(failed!.scriptLog!.totalLines).toBeLessThanOrEqual(30);
    expectFailingText(failed!.scriptLog);
  },
  wallLimit(30_000),
);

test(
  "causes {id} gives each run's failing script line",
  async () => {
    const list = await facts<{ causes: Array<{ id: number; title: string }> }>("causes");
    // The check-in below is missed within seconds (sooner on a loaded machine): its own cause may be listed too.
    const refused = list.causes.filter((c) => !c.title.includes("erp-extract"));
    expect(refused.map((c) => c.title)).toEqual([expect.stringMatching(/connection/i)]);
    const one = await facts<{ symptoms: Array<{ task: string; scriptLog?: Lines }> }>("causes", { id: refused[0]!.id });
    expect(one.symptoms.map((s) => s.task).sort()).toEqual(["Reload Ledger", "Reload Payables"]);
    for (const s of one.symptoms) expectFailingText(s.scriptLog);
  },
  wallLimit(30_000),
);

test(
  "a missed check-in is in what_did_not_happen and in Needs attention on /ui/watchdog",
  async () => {
    await waitFor(async () => ((await rest<{ checkins: Array<{ state: string }> }>("/v4/watchdog")).checkins[0]?.state === "missed" ? true : undefined), {
      what: "the check-in to be missed",
      timeoutMs: wallLimit(30_000),
    });
    const told = await facts<{ open: Array<{ condition: string; title: string }> }>("what_did_not_happen");
    expect(told.open.map((o) => [o.condition, o.title])).toContainEqual(["checkin_missed", "Job did not check in: erp-extract"]);
    const page = await (await fetch(`${base}/ui/watchdog`, { headers: { "x-api-key": key } })).text();
    const attention = page.slice(page.indexOf('id="needs-attention"'), page.indexOf("</section>", page.indexOf('id="needs-attention"')));
    expect(attention).toContain(
      '<tr data-condition="checkin_missed" data-kind="checkin.missed"><td><span class="badge s-fail">missed check-in</span></td><td>job &quot;erp-extract&quot;</td>',
    );
  },
  wallLimit(40_000),
);
