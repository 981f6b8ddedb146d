// Bench (not a test): a flood of 30,000 forged 16 KB Scheduler datagrams, and in the middle of it one real failure from
// the simulator's node (relayed from 127.0.0.1), against Steward run from source with the simulator's QRS. Prints the
// real failure's own alert delay (its datagram on the node's wire → the first mail or webhook that names its execution
// id; a forged run's alert never counts), the store's growth (largest seen, and at the end) and /health's p99 while it
// lasts. The variants: `node-spoofed` (issue 86, the default): the forger sends from the node's own address
// (127.0.0.1), every tenth datagram is a forged Engine reload line, and QRS answers each execution read in 250 ms (a
// loaded QRS: the queue and the node's share of the overflow fill); then also the WAL file 1 minute after the
// flood, and /health's p99 alone and with four readers paging GET /v4/engine-reloads. `node-only`: from a loopback
// address that is not a node (127.0.0.3), udp.allowedSources left empty (QRS's nodes); `forger-allowed`: the same
// with "*"; `forger-allowed-slow-qrs`: "*" and QRS answering each execution read in 250 ms (the queue fills).
//   bun scripts/bench-udp-forged.ts [--count 30000] [--bytes 16000] [--rate 640] [--variant node-spoofed|node-only|forger-allowed|forger-allowed-slow-qrs|all]
// Loopback only; every loop is bounded.
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaptureInbox } from "../src/show/demo/capture-inbox";
import { startSimulator } from "../src/sim";
import { freePort, freeUdpPort, startTarget, waitFor200 } from "./bench-proc";
import { forgedEngineFailureLine, forgedFailureDatagram } from "./forged-datagrams";

const REPO = join(import.meta.dir, "..");
/** "Reload Sales dashboard" in the default simulated site. */
const TASK_ID = "7552d9fc-d1bb-4975-9a38-18357de531ea";
/** The forger's address: one that is not a node, or (node-spoofed) the node's own. */
const NOT_A_NODE = "127.0.0.3";
const NODE = "127.0.0.1";
const ALERT_TIMEOUT_MS = 180_000;

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const COUNT = Math.min(arg("count", 30_000), 100_000);
const BYTES = Math.min(arg("bytes", 16_000), 60_000);
/** Datagrams a second: the attack reported in issue 75 sent 30,000 in 47 s. */
const RATE = Math.min(arg("rate", 640), 50_000);

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const percentile = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : Number.NaN;
};
/** Bytes of the store's files (SQLite file, WAL, shared memory) in the data folder. */
function storeBytes(dataDir: string): number {
  if (!existsSync(dataDir)) return 0;
  return readdirSync(dataDir)
    .filter((f) => f.includes(".db") || f.includes(".sqlite"))
    .reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
}
/** Bytes of the store's WAL file. */
function walBytes(dataDir: string): number {
  const wal = existsSync(dataDir) ? readdirSync(dataDir).find((f) => f.endsWith(".db-wal")) : undefined;
  return wal ? statSync(join(dataDir, wal)).size : 0;
}
const mb = (b: number) => (b / 1_000_000).toFixed(1);

interface Result {
  admitted: string;
  variant: string;
  alertDelayMs: number | undefined;
  /** What carried the real failure's first alert (mail or webhook). */
  alertKind: string;
  growthPeakBytes: number;
  growthEndBytes: number;
  healthP99Ms: number;
  healthSamples: number;
  /** node-spoofed: the WAL file 1 minute after the flood, and /health alone and with readers paging. */
  walAfterMinuteBytes?: number;
  walPeakBytes: number;
  truncates?: string;
  healthAlone?: number[];
  healthPaged?: number[];
  readerPages?: number;
  forger: string;
  sent: number;
  sendSeconds: number;
  load: { before: string; after: string };
  overflow: string;
}

async function sendFlood(
  target: number,
  n: number,
  f: { runId: number; taskId: string; from: string; engineEvery: number },
): Promise<{ sent: number; seconds: number }> {
  const sock: Socket = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, f.from, () => r()));
  const t0 = performance.now();
  let sent = 0;
  // One at a time, each waiting for the socket to take it, paced at RATE a second: the loop is bounded by n. Every
  // `engineEvery`-th is a forged Engine failure line (a reload of its own), when set.
  for (let i = 0; i < n; i++) {
    const datagram =
      f.engineEvery > 0 && i % f.engineEvery === 0 ? forgedEngineFailureLine(f.runId * 1_000_000 + i, 0) : forgedFailureDatagram(i, f.runId, BYTES, f.taskId);
    await new Promise<void>((r) => sock.send(datagram, target, "127.0.0.1", () => r()));
    sent++;
    if (i % 32 === 31) {
      const ahead = t0 + ((i + 1) / RATE) * 1000 - performance.now();
      await Bun.sleep(Math.max(0, ahead));
    }
  }
  sock.close();
  return { sent, seconds: (performance.now() - t0) / 1000 };
}

async function metricsLine(url: string, names: string[]): Promise<string> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    return names
      .map((name) => {
        const total = text
          .split("\n")
          .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
          .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
        return `${name.replace("steward_intake_", "")}=${total}`;
      })
      .join(" ");
  } catch {
    return "metrics unavailable";
  }
}

interface Variant {
  name: string;
  allowForger: boolean;
  /** The forger sends from the node's own address (and Engine lines among its datagrams). */
  spoofNode?: boolean;
  /** Milliseconds QRS takes to answer a read of an execution (0: as fast as the simulator is). */
  slowQrsMs: number;
}

const VARIANTS: Variant[] = [
  // QRS answering slowly, so the queue and the node's share of the overflow fill whatever the machine's speed.
  { name: "node-spoofed", allowForger: false, slowQrsMs: 250, spoofNode: true },
  { name: "node-only", allowForger: false, slowQrsMs: 0 },
  { name: "forger-allowed", allowForger: true, slowQrsMs: 0 },
  { name: "forger-allowed-slow-qrs", allowForger: true, slowQrsMs: 250 },
];

/** /health every 20 ms until `until`: the times in ms. */
async function sampleHealth(url: string, until: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; performance.now() < until && i < 100_000; i++) {
    const t0 = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    times.push(performance.now() - t0);
    await Bun.sleep(20);
  }
  return times;
}

/** Pages GET /v4/engine-reloads?limit=500 from the newest through `next` until `until`, starting over at the end. */
async function reader(url: string, until: number): Promise<number> {
  let after: string | null = null;
  let pages = 0;
  for (let i = 0; performance.now() < until && i < 100_000; i++) {
    const res: Response = await fetch(`${url}/v4/engine-reloads?limit=500&sinceHours=24${after ? `&after=${after}` : ""}`);
    const text: string = await res.text();
    if (res.status !== 200) throw new Error(`GET /v4/engine-reloads answered ${res.status}: ${text.slice(0, 200)}`);
    pages++;
    after = (JSON.parse(text) as { next: string | null }).next;
  }
  return pages;
}

const HEALTH_SECONDS = 15;

/** The WAL file 1 minute after the flood ended, then /health alone and with four readers paging (15 s each). */
async function afterFlood(url: string, dataDir: string, floodEnd: number) {
  await Bun.sleep(Math.max(0, floodEnd + 60_000 - performance.now()));
  const walAfterMinuteBytes = walBytes(dataDir);
  const truncates = await metricsLine(url, ["steward_store_wal_truncates_total"]);
  const healthAlone = await sampleHealth(url, performance.now() + HEALTH_SECONDS * 1000);
  const until = performance.now() + HEALTH_SECONDS * 1000;
  const [healthPaged, ...pages] = await Promise.all([sampleHealth(url, until), ...Array.from({ length: 4 }, () => reader(url, until))]);
  return { walAfterMinuteBytes, truncates, healthAlone, healthPaged: healthPaged as number[], readerPages: (pages as number[]).reduce((n, p) => n + p, 0) };
}

async function oneRun(v: Variant, work: string): Promise<Result> {
  const { allowForger } = v;
  const dir = join(work, v.name);
  mkdirSync(dir, { recursive: true });
  const inbox = createCaptureInbox({ host: "127.0.0.1", smtpPort: 0, webhookPort: 0 });
  await inbox.start();
  // The real failure's own alert: the first mail or webhook that names its execution id (set once the task starts).
  let realExecution: string | undefined;
  let alertAt: number | undefined;
  let alertKind = "";
  inbox.subscribe((item) => {
    if (alertAt !== undefined || realExecution === undefined) return;
    const text = item.kind === "mail" ? `${item.subject}\n${item.text ?? ""}\n${item.html ?? ""}` : item.body;
    if (!text.toLowerCase().includes(realExecution)) return;
    alertAt = performance.now();
    // Which path announced it: its datagram, or QRS (a reconciliation pass, or the look after dropped datagrams).
    const source = item.kind === "webhook" ? /"source":\s*"(\w+)"/.exec(item.body)?.[1] : undefined;
    alertKind = source ? `${item.kind}, source ${source}` : item.kind;
  });
  // The node's datagrams come through this relay (bound to 127.0.0.1, the node's address), which stamps the moment the
  // real failure's own datagram is on the node's wire (not any datagram that says "failed").
  const relay = createSocket("udp4");
  let forwardPort = 0;
  let failureAt: number | undefined;
  relay.on("message", (data) => {
    if (failureAt === undefined && realExecution !== undefined && data.toString().toLowerCase().includes(realExecution)) failureAt = performance.now();
    relay.send(data, forwardPort, "127.0.0.1");
  });
  const relayPort = await freeUdpPort();
  await new Promise<void>((r) => relay.bind(relayPort, "127.0.0.1", () => r()));
  const sim = await startSimulator({
    certDir: join(dir, "sim-certs"),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { udp: { targets: [{ host: "127.0.0.1", port: relayPort }] } },
  });
  if (v.slowQrsMs > 0) sim.faults.add({ target: "qrs", pathContains: "executionresult", delayMs: v.slowQrsMs }, Date.now());
  const [httpPort, udpPort] = [await freePort(), await freeUdpPort()];
  forwardPort = udpPort;
  // The default admits QRS's nodes (qlik.host is 127.0.0.1, the relay's address); "*" admits the forger too.
  const admitted = allowForger ? '["*"]' : "empty (the default: QRS's nodes)";
  writeFileSync(
    join(dir, "steward.yaml"),
    [
      "dataDir: ./data",
      "logging: { level: warn, format: json }",
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `udp: { host: 127.0.0.1, port: ${udpPort}${allowForger ? ', allowedSources: ["*"]' : ""} }`,
      `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)} }`,
      "channels:",
      "  ops-mail:",
      "    type: email",
      `    smtp: { host: 127.0.0.1, port: ${inbox.smtpPort()}, security: none }`,
      '    from: "Steward bench <steward@bench.example>"',
      "    to: [ops@bench.example]",
      "  ops-hook:",
      "    type: webhook",
      `    url: ${inbox.webhookUrl()}/steward`,
      "routes:",
      "  - { on: [task.failed], to: [ops-mail, ops-hook] }",
      // The readers page the Engine's list without a key from this machine.
      ...(v.spoofNode ? ["security: { anonymous: { scopes: [read], from: [loopback] } }"] : []),
    ].join("\n"),
  );
  const steward = startTarget([process.execPath, join(REPO, "src/main.ts"), "run", "--config", join(dir, "steward.yaml")], {
    cwd: dir,
    logFile: join(dir, "steward.log"),
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const dataDir = join(dir, "data");
  const forger = v.spoofNode ? NODE : NOT_A_NODE;
  const flood = (n: number, runId: number, taskId: string) => sendFlood(udpPort, n, { runId, taskId, from: forger, engineEvery: v.spoofNode ? 10 : 0 });
  try {
    await waitFor200(`${url}/ready`, performance.now(), 60_000);
    await Bun.sleep(2_000);
    const before = storeBytes(dataDir);
    let peak = before;
    let walPeak = 0;
    const health: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 20_000; i++) {
        const t0 = performance.now();
        await fetch(`${url}/health`).then((r) => r.arrayBuffer());
        health.push(performance.now() - t0);
        peak = Math.max(peak, storeBytes(dataDir));
        walPeak = Math.max(walPeak, walBytes(dataDir));
        await Bun.sleep(20);
      }
    })();
    const loadBefore = loadavg();
    // Another real task of the site: each forged run of it costs QRS reads (the task is known, its execution is not).
    const forgedTask = sim.site.tasks.find((t) => t.id !== TASK_ID)?.id ?? TASK_ID;
    // A third of the flood first, then the node's real failure, then the rest.
    const first = await flood(Math.floor(COUNT / 3), 1, forgedTask);
    const started = sim.tasks.start(TASK_ID, { outcome: "fail", durationMs: 20 });
    if (!started.started) throw new Error(`the simulator did not start the task: ${started.reason}`);
    realExecution = started.executionId.toLowerCase();
    const rest = await flood(COUNT - first.sent, 2, forgedTask);
    const floodEnd = performance.now();
    for (let i = 0; alertAt === undefined && i < ALERT_TIMEOUT_MS / 100; i++) await Bun.sleep(100);
    const overflow = await metricsLine(url, [
      "steward_intake_datagrams_received_total",
      "steward_intake_datagrams_rejected_total",
      "steward_intake_overflowed_total",
      "steward_intake_overflow_bytes",
      "steward_intake_dropped_total",
    ]);
    const peakOverflow = overflow;
    // The forged runs still queued are worked off (QRS denies each); the end size is taken once they are (1 min at most).
    for (let i = 0; i < 120; i++) {
      const depth = await metricsLine(url, ["steward_intake_overflow_depth", "steward_intake_queue_depth"]);
      if (/overflow_depth=0 queue_depth=0/.test(depth)) break;
      await Bun.sleep(500);
    }
    sampling = false;
    await sampler;
    const after = v.spoofNode ? await afterFlood(url, dataDir, floodEnd) : {};
    return {
      ...after,
      forger,
      admitted,
      variant: v.slowQrsMs > 0 ? `, QRS answering execution reads in ${v.slowQrsMs} ms` : "",
      alertDelayMs: alertAt !== undefined && failureAt !== undefined ? alertAt - failureAt : undefined,
      alertKind,
      growthPeakBytes: peak - before,
      walPeakBytes: walPeak,
      growthEndBytes: storeBytes(dataDir) - before,
      healthP99Ms: percentile(health, 99),
      healthSamples: health.length,
      sent: first.sent + rest.sent,
      sendSeconds: first.seconds + rest.seconds,
      load: { before: loadBefore, after: loadavg() },
      overflow: `${peakOverflow}; then ${await metricsLine(url, ["steward_intake_overflow_depth", "steward_intake_queue_depth"])}`,
    };
  } finally {
    await steward.stop();
    await sim.stop();
    relay.close();
    await inbox.stop();
  }
}

if (import.meta.main) {
  const work = mkdtempSync(join(tmpdir(), "steward-bench-forged-"));
  try {
    const only = process.argv.indexOf("--variant");
    const which = only > 0 ? process.argv[only + 1] : "node-spoofed";
    for (const v of which === "all" ? VARIANTS : VARIANTS.filter((x) => x.name === which)) {
      const r = await oneRun(v, work);
      console.log(
        [
          `udp.allowedSources: ${r.admitted}${r.variant}`,
          `  sent ${r.sent} forged datagrams of ${BYTES} bytes from ${r.forger}${v.spoofNode ? " (the node's own address; every tenth a forged Engine reload line)" : ""} in ${r.sendSeconds.toFixed(1)} s (paced at ${RATE}/s), one real failure from the node after the first third`,
          `  real failure's own alert delay: ${r.alertDelayMs === undefined ? "no alert" : `${(r.alertDelayMs / 1000).toFixed(2)} s (${r.alertKind})`} (target ≤ ${v.spoofNode ? 10 : 5} s)`,
          `  store growth: peak ${mb(r.growthPeakBytes)} MB, at the end ${mb(r.growthEndBytes)} MB (target ≤ 10 MB)`,
          `  /health p99: ${r.healthP99Ms.toFixed(1)} ms over ${r.healthSamples} requests (target ≤ 100 ms)`,
          `  intake: ${r.overflow}`,
          ...(r.walAfterMinuteBytes !== undefined
            ? [
                `  WAL file: largest seen ${mb(r.walPeakBytes)} MB; 1 minute after the flood ${mb(r.walAfterMinuteBytes)} MB (target ≤ 8 MB; ${r.truncates})`,
                `  /health p99 alone: ${percentile(r.healthAlone!, 99).toFixed(1)} ms over ${r.healthAlone!.length}; with four readers paging /v4/engine-reloads: ${percentile(r.healthPaged!, 99).toFixed(1)} ms over ${r.healthPaged!.length} (${r.readerPages} pages)`,
              ]
            : []),
          `  load average before ${r.load.before}, after ${r.load.after}`,
        ].join("\n"),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
