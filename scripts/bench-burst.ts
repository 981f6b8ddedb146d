// Bench row for issue 78: a database outage fails every running and queued reload at once. 500 reload tasks of a
// site with five nodes read the same source (DWH); each is started within a minute and fails with the same
// connection error, its Scheduler datagram going to Steward's UDP intake, which enriches each run from the
// simulator's QRS (task, execution, app, owner, script log) with Steward's default intake settings. On the route
// docs/grouping.md documents (task.failed and task.recovered to one webhook), the first failure pages the cause and
// every other one is its symptom. Printed: the first cause page's delay after the first failure datagram, the pages
// sent, the runs stored (incident_runs) and when, and when the last run's enriched event was out.
// Loopback only; the wait is bounded (--limit-seconds).
//   bun scripts/bench-burst.ts [--tasks 500] [--spread-seconds 50] [--nodes 5] [--engines 10] [--limit-seconds 420]
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { TaskEvent } from "../src/platform/events/types";
import { startSimulator } from "../src/sim";
import { createTestApp } from "../test/helpers/app";
import { simCertDir } from "../test/helpers/sim-certs";
import { createTempDir } from "../test/helpers/temp-dir";
import { startHttpReceiver } from "../test/integration/tell/notify/receivers";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "500" },
    "spread-seconds": { type: "string", default: "50" },
    nodes: { type: "string", default: "5" },
    engines: { type: "string", default: "10" },
    "fail-after-ms": { type: "string", default: "1500" },
    "limit-seconds": { type: "string", default: "420" },
  },
});
const TASKS = Number(values.tasks);
const SPREAD_MS = Number(values["spread-seconds"]) * 1000;
const NODES = Number(values.nodes);
const ENGINES = Number(values.engines);
/** How long a reload tries to connect before it fails (a refused connection is quick, a timeout is not). */
const FAIL_AFTER_MS = Number(values["fail-after-ms"]);
const LIMIT_MS = Number(values["limit-seconds"]) * 1000;
const APPS = Math.max(1, Math.round(TASKS / 5));

const id = (kind: number, n: number) => `00000000-0000-4000-8${kind}00-${String(n).padStart(12, "0")}`;
const nodeName = (k: number) => (k === 0 ? "Central" : `Reload${String(k).padStart(2, "0")}`);

function site(): string {
  const nodes = Array.from(
    { length: NODES },
    (_, k) =>
      `  - { name: ${nodeName(k)}, hostName: ${nodeName(k).toLowerCase()}.test.example${k === 0 ? ", central: true" : ""}, scheduler: { maxConcurrentEngines: ${ENGINES} } }`,
  );
  const apps = Array.from({ length: APPS }, (_, i) => `  - { id: ${id(1, i)}, name: App ${i}, owner: CORP\\anna, stream: Stream ${i % 5} }`);
  const tasks = Array.from(
    { length: TASKS },
    (_, i) =>
      `  - { id: ${id(0, i)}, name: Load ${i}, type: reload, app: App ${i % APPS}, node: ${nodeName(i % NODES)}, scriptError: "Connection refused: the DWH server did not accept the connection" }`,
  );
  return `site: { name: Database outage, buildVersion: 34.12.3 }
nodes:
${nodes.join("\n")}
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [${Array.from({ length: 5 }, (_, i) => `{ name: Stream ${i} }`).join(", ")}]
apps:
${apps.join("\n")}
tasks:
${tasks.join("\n")}
`;
}

const dir = createTempDir("steward-bench-burst-");
const rx = startHttpReceiver();
const sim = await startSimulator({
  site: site(),
  certDir: simCertDir(join(dir.path, "certs")),
  qrsPort: 0,
  enginePort: 0,
  controlPort: 0,
  schedules: false,
});
// Steward's defaults for the intake, its enrichment and grouping; the route of docs/grouping.md.
const t = createTestApp(
  `
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  certDir: ${JSON.stringify(sim.certDir)}
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`,
  { dir: join(dir.path, "steward") },
);
const failed: Array<{ at: number; e: TaskEvent }> = [];
t.app.bus.on("task.failed", (e) => void failed.push({ at: performance.now(), e: e as TaskEvent }));
const pages: number[] = [];
const cpuStart = process.cpuUsage();
try {
  await t.app.start();
  const port = t.app.intake.udp!.address()!.port;
  const key = `127.0.0.1:${port}`;
  sim.settings.udp.targets = [{ host: "127.0.0.1", port }];
  const qrsBefore = [...sim.requests.totals()].filter(([k]) => k.startsWith("qrs ")).reduce((n, [, v]) => n + v.requests, 0);

  // The outage: each task started once within the spread (the running ones and those waiting in the queues), each
  // failing after it tried to connect.
  const t0 = performance.now();
  let started = 0;
  const starts = setInterval(
    () => {
      const due = Math.min(TASKS, Math.ceil(((performance.now() - t0) / SPREAD_MS) * TASKS));
      for (; started < due; started++) {
        const r = sim.tasks.start(id(0, started), { outcome: "fail", durationMs: FAIL_AFTER_MS });
        if (!r.started) throw new Error(`the simulator did not start Load ${started}: ${r.reason}`);
      }
      if (started >= TASKS) clearInterval(starts);
    },
    Math.max(10, SPREAD_MS / TASKS),
  );

  let firstDatagram: number | undefined;
  let lastDatagram: number | undefined;
  let storedAt: number | undefined;
  let stored = 0;
  let polls = 0;
  while (performance.now() - t0 < LIMIT_MS) {
    const now = performance.now();
    const sent = sim.udp.sentTo(key);
    if (sent > 0) firstDatagram ??= now;
    if (sent >= TASKS) lastDatagram ??= now;
    while (pages.length < rx.requests.length) pages.push(now);
    if (polls++ % 20 === 0 && storedAt === undefined) {
      stored = (await t.app.sharedStore.sql.get<{ n: number }>("SELECT count(*) AS n FROM incident_runs WHERE outcome = 'failed'"))!.n;
      if (stored >= TASKS) storedAt = performance.now();
    }
    if (storedAt !== undefined && failed.length >= TASKS && now - Math.max(storedAt, failed.at(-1)!.at) > 10_000) break;
    await Bun.sleep(10);
  }
  clearInterval(starts);
  const qrs = [...sim.requests.totals()].filter(([k]) => k.startsWith("qrs ")).reduce((n, [, v]) => n + v.requests, 0) - qrsBefore;
  const s = (ms: number | undefined, from = firstDatagram) => (ms === undefined || from === undefined ? "not reached" : `${((ms - from) / 1000).toFixed(1)} s`);
  const enriched = failed.filter(({ e }) => e.complete && e.scriptLog !== undefined && e.app !== undefined);
  const missing = new Map<string, number>();
  for (const { e } of failed) for (const m of e.missing) missing.set(`${m.item}: ${m.reason}`, (missing.get(`${m.item}: ${m.reason}`) ?? 0) + 1);
  const kinds = rx.requests.map((r) => (JSON.parse(r.body) as { kind?: string; cause?: { title?: string } }).kind ?? "?");
  const titles = new Set(rx.requests.map((r) => (JSON.parse(r.body) as { cause?: { title?: string } }).cause?.title ?? "(no cause)"));
  const causes = (await (await t.request("/v4/causes?status=open")).json()) as { causes: Array<{ title: string; affected: { text: string } }> };
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `burst: ${TASKS} reload tasks on ${NODES} nodes (${ENGINES} engines each), started within ${SPREAD_MS / 1000} s, each failing after ${FAIL_AFTER_MS} ms`,
  );
  console.log(`  failure datagrams: first ${s(firstDatagram, t0)} after the first start, all ${TASKS} ${s(lastDatagram, t0)}`);
  console.log(`  first cause page: ${s(pages[0])} after the first failure datagram`);
  console.log(`  pages sent: ${pages.length} (${kinds.join(", ")}); causes paged: ${[...titles].join("; ")}`);
  console.log(`  open causes: ${causes.causes.map((c) => `${c.title} (${c.affected.text})`).join("; ") || "none"}`);
  console.log(`  runs stored (incident_runs, failed): ${storedAt === undefined ? stored : TASKS}, all ${s(storedAt)} after the first datagram`);
  console.log(`  task.failed events: ${failed.length}, enriched (task, app, script log, complete): ${enriched.length}; the last out ${s(failed.at(-1)?.at)}`);
  if (missing.size) console.log(`  missing from events: ${[...missing].map(([k, n]) => `${k} ×${n}`).join("; ")}`);
  console.log(
    `  QRS requests: ${qrs} (${(qrs / Math.max(1, failed.length)).toFixed(1)} a run); process CPU (Steward and the simulator): ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
  );
} finally {
  await t.close();
  await sim.stop();
  await rx.stop();
  dir.remove();
}
