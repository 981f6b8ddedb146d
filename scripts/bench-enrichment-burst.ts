// Bench row for issue 57: the QRS requests one enriched run costs when a burst of failures reaches the intake
// together, beside the same runs enriched one at a time with reads of their own (what every run cost before the
// enrichment batched its reads). The simulator runs the site's tasks first and the bench captures the Scheduler's
// datagrams; they are then sent to Steward's UDP port at once, and its work queue enriches them (4 workers).
//
//   bun scripts/bench-enrichment-burst.ts [--tasks 20] [--apps 8] [--owners 3] [--runs-per-task 5]
import { createSocket } from "node:dgram";
import { parseArgs } from "node:util";
import { createTaskEventEnricher, type RunReport } from "../src/hear/events/enrich-task-event";
import { ConfigSchema } from "../src/composition/config";
import { systemClock } from "../src/platform/core/clock";
import { createSilentLogger } from "../src/platform/core/logger";
import { createQrsClient } from "../src/platform/qlik";
import { QlikSchema } from "../src/platform/qlik/config";
import { startHarness } from "../test/integration/hear/intake/harness";
import { createTempDir } from "../test/helpers/temp-dir";
import { waitFor } from "../test/helpers/wait-for";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "20" },
    apps: { type: "string", default: "8" },
    owners: { type: "string", default: "3" },
    "runs-per-task": { type: "string", default: "5" },
    "qrs-latency-ms": { type: "string", default: "50" },
  },
});
const TASKS = Number(values.tasks);
const APPS = Number(values.apps);
const OWNERS = Number(values.owners);
const RUNS = Number(values["runs-per-task"]);
/** How long the simulated QRS takes per answer during the measurements (a busy central node: tens to hundreds of ms). */
const LATENCY_MS = Number(values["qrs-latency-ms"]);
const guid = (kind: number, n: number) => `${String(kind).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;

function siteYaml(): string {
  const users = Array.from({ length: OWNERS }, (_, i) => `  - { userDirectory: CORP, userId: owner${i}, name: Owner ${i}, email: owner${i}@corp.example }`);
  const apps = Array.from({ length: APPS }, (_, i) => `  - { id: ${guid(2, i)}, name: App ${i}, owner: CORP\\owner${i % OWNERS}, tags: [Finance] }`);
  const tasks = Array.from(
    { length: TASKS },
    (_, i) =>
      `  - { id: ${guid(1, i)}, name: Reload ${i}, type: reload, app: App ${i % APPS}, tags: [Nightly], scriptError: "Cannot open file: 'lib://Data/${i}.qvd'" }`,
  );
  return `
site: { name: Enrichment burst, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
${users.join("\n")}
tags: [Nightly, Finance]
apps:
${apps.join("\n")}
tasks:
${tasks.join("\n")}
`;
}

/** Enrichment's QRS requests in the simulator's log since `seq`, by kind. */
function countSince(h: Awaited<ReturnType<typeof startHarness>>, seq: number) {
  const list = h.sim.requests.list({ source: "qrs", sinceSeq: seq });
  const byRun = (r: (typeof list)[number]) => /^executionID eq /.test(r.query.filter ?? "") || /\(executionID eq /.test(r.query.filter ?? "");
  const kinds = {
    task: list.filter((r) => r.path === "/qrs/task/full").length,
    app: list.filter((r) => r.path === "/qrs/app/full").length,
    owner: list.filter((r) => /^\/qrs\/user(\/|$)/.test(r.path)).length,
    execution: list.filter((r) => r.path === "/qrs/executionresult/full" && byRun(r)).length,
    scriptLog: list.filter((r) => r.path.includes("scriptlog")).length,
  };
  // Reads of later stages (the incident's cause and history), by path: not enrichment, but QRS load of the burst.
  const other = new Map<string, number>();
  const counted = (r: (typeof list)[number]) =>
    ["/qrs/task/full", "/qrs/app/full"].includes(r.path) ||
    /^\/qrs\/user(\/|$)/.test(r.path) ||
    r.path.includes("scriptlog") ||
    (r.path === "/qrs/executionresult/full" && byRun(r));
  for (const r of list) if (!counted(r)) other.set(r.path.replace(/[0-9a-f-]{36}/g, "{id}"), (other.get(r.path.replace(/[0-9a-f-]{36}/g, "{id}")) ?? 0) + 1);
  const enrichment = Object.values(kinds).reduce((a, b) => a + b, 0);
  return { ...kinds, enrichment, other };
}

const tmp = createTempDir("steward-bench-burst-");
const h = await startHarness({ dir: tmp.path, site: siteYaml(), intake: { reconcile: { enabled: false } } });
try {
  // Capture the failures' datagrams instead of letting them reach Steward one by one as the runs end.
  const sink = createSocket("udp4");
  const captured: Buffer[] = [];
  sink.on("message", (m) => void captured.push(Buffer.from(m)));
  await new Promise<void>((r) => sink.bind(0, "127.0.0.1", () => r()));
  h.sim.settings.udp.targets = [{ host: "127.0.0.1", port: sink.address().port }];
  const reports: RunReport[] = [];
  await Promise.all(
    Array.from({ length: TASKS }, async (_, i) => {
      for (let n = 0; n < RUNS; n++) {
        const executionId = await h.runWhenIdle(guid(1, i), "fail", { durationMs: 5 });
        reports.push({ source: "udp", outcome: "failed", executionId: executionId.toLowerCase(), taskId: guid(1, i), appId: guid(2, i % APPS) });
      }
    }),
  );
  const total = TASKS * RUNS;
  await waitFor(() => captured.filter((d) => d.toString("utf8").includes("fail")).length >= total, { timeoutMs: 60_000, what: "the failure datagrams" });
  sink.close();

  // The burst: every datagram at once to Steward's intake.
  if (LATENCY_MS > 0) h.sim.faults.add({ target: "qrs", method: "GET", delayMs: LATENCY_MS, forMs: 3_600_000 }, Date.now());
  const seq = h.sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
  const sender = createSocket("udp4");
  for (const d of captured) sender.send(d, h.udpPort(), "127.0.0.1");
  await waitFor(() => h.events.filter((e) => e.kind === "task.failed").length >= total, { timeoutMs: 120_000, what: `${total} task.failed events` });
  sender.close();
  const burst = countSince(h, seq);
  const incomplete = h.events.filter((e) => e.kind === "task.failed" && !e.complete).length;

  // The same runs, each enriched alone with reads of its own.
  const cfg = ConfigSchema.parse({}).intake.enrichment;
  const qrs = createQrsClient(QlikSchema.parse({ host: "127.0.0.1", qrsPort: h.sim.ports.qrs, certDir: h.sim.certDir, timeoutMs: 5000 }), {
    log: createSilentLogger(),
    clock: systemClock,
    baseDir: tmp.path,
  });
  const seqAlone = h.sim.requests.list({ source: "qrs" }).at(-1)?.seq ?? 0;
  for (const r of reports) await createTaskEventEnricher(cfg, {}, { qrs, log: createSilentLogger(), clock: systemClock }).enrich(r);
  const alone = countSince(h, seqAlone);
  qrs.close();

  const perRun = (n: number) => (n / total).toFixed(2);
  const row = (name: string, c: typeof burst) =>
    `${name.padEnd(16)} ${String(c.enrichment).padStart(5)} enrichment requests, ${perRun(c.enrichment)} per run (task ${c.task}, app ${c.app}, owner ${c.owner}, execution ${c.execution}, script log ${c.scriptLog}; without the script log ${perRun(c.enrichment - c.scriptLog)} per run)`;
  console.log(
    `${total} failed runs of ${TASKS} reload tasks on ${APPS} apps with ${OWNERS} owners, QRS answering in ${LATENCY_MS} ms (${incomplete} incomplete in the burst)`,
  );
  console.log(row("one at a time", alone));
  console.log(row("burst (intake)", burst));
  console.log(`${"".padEnd(16)} other QRS reads during the burst: ${[...burst.other].map(([p, n]) => `${p} ${n}`).join(", ") || "none"}`);
} finally {
  await h.close();
  tmp.remove();
}
