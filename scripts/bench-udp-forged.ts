// Bench (not a test): a flood of 30,000 forged 16 KB Scheduler datagrams from a loopback address that is not a node
// (127.0.0.3), and in the middle of it one real failure from the simulator's node (relayed from 127.0.0.1), against
// Steward run from source with the simulator's QRS. Prints the real failure's alert delay (datagram in → mail
// accepted), the store's growth (largest seen, and at the end) and /health's p99 while it lasts; twice: with
// udp.allowedSources left empty, the default (QRS's nodes: the simulator's, on loopback, admitted, the forger not),
// then with "*" (every source, the forger too); and a third time with "*" and QRS answering each execution read in
// 250 ms (a loaded QRS), so the queue fills and the overflow's byte bounds hold.
//   bun scripts/bench-udp-forged.ts [--count 30000] [--bytes 16000] [--rate 640] [--variant node-only|forger-allowed|forger-allowed-slow-qrs]
// Loopback only; every loop is bounded.
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaptureInbox } from "../src/show/demo/capture-inbox";
import { startSimulator } from "../src/sim";
import { freePort, freeUdpPort, startTarget, waitFor200 } from "./bench-proc";
import { forgedFailureDatagram } from "./forged-datagrams";

const REPO = join(import.meta.dir, "..");
/** "Reload Sales dashboard" in the default simulated site. */
const TASK_ID = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const FORGER = "127.0.0.3";
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
const mb = (b: number) => (b / 1_000_000).toFixed(1);

interface Result {
  admitted: string;
  variant: string;
  alertDelayMs: number | undefined;
  growthPeakBytes: number;
  growthEndBytes: number;
  healthP99Ms: number;
  healthSamples: number;
  sent: number;
  sendSeconds: number;
  load: { before: string; after: string };
  overflow: string;
}

async function sendFlood(target: number, n: number, runId: number, taskId: string): Promise<{ sent: number; seconds: number }> {
  const sock: Socket = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, FORGER, () => r()));
  const t0 = performance.now();
  let sent = 0;
  // One at a time, each waiting for the socket to take it, paced at RATE a second: the loop is bounded by n.
  for (let i = 0; i < n; i++) {
    await new Promise<void>((r) => sock.send(forgedFailureDatagram(i, runId, BYTES, taskId), target, "127.0.0.1", () => r()));
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
  /** Milliseconds QRS takes to answer a read of an execution (0: as fast as the simulator is). */
  slowQrsMs: number;
}

const VARIANTS: Variant[] = [
  { name: "node-only", allowForger: false, slowQrsMs: 0 },
  { name: "forger-allowed", allowForger: true, slowQrsMs: 0 },
  { name: "forger-allowed-slow-qrs", allowForger: true, slowQrsMs: 250 },
];

async function oneRun(v: Variant, work: string): Promise<Result> {
  const { allowForger } = v;
  const dir = join(work, v.name);
  mkdirSync(dir, { recursive: true });
  const inbox = createCaptureInbox({ host: "127.0.0.1", smtpPort: 0, webhookPort: 0 });
  await inbox.start();
  let mailAt: number | undefined;
  inbox.subscribe((item) => {
    if (item.kind === "mail" && mailAt === undefined) mailAt = performance.now();
  });
  // The node's datagrams come through this relay (bound to 127.0.0.1, the node's address), which stamps the failure.
  const relay = createSocket("udp4");
  let forwardPort = 0;
  let failureAt: number | undefined;
  relay.on("message", (data) => {
    if (failureAt === undefined && data.subarray(0, 24).toString().toLowerCase().includes("failed")) failureAt = performance.now();
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
      "routes:",
      "  - { on: [task.failed], to: [ops-mail] }",
    ].join("\n"),
  );
  const steward = startTarget([process.execPath, join(REPO, "src/main.ts"), "run", "--config", join(dir, "steward.yaml")], {
    cwd: dir,
    logFile: join(dir, "steward.log"),
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const dataDir = join(dir, "data");
  try {
    await waitFor200(`${url}/ready`, performance.now(), 60_000);
    await Bun.sleep(2_000);
    const before = storeBytes(dataDir);
    let peak = before;
    const health: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 20_000; i++) {
        const t0 = performance.now();
        await fetch(`${url}/health`).then((r) => r.arrayBuffer());
        health.push(performance.now() - t0);
        peak = Math.max(peak, storeBytes(dataDir));
        await Bun.sleep(20);
      }
    })();
    const loadBefore = loadavg();
    // Another real task of the site: each forged run of it costs QRS reads (the task is known, its execution is not).
    const forgedTask = sim.site.tasks.find((t) => t.id !== TASK_ID)?.id ?? TASK_ID;
    // A third of the flood first, then the node's real failure, then the rest.
    const first = await sendFlood(udpPort, Math.floor(COUNT / 3), 1, forgedTask);
    const started = sim.tasks.start(TASK_ID, { outcome: "fail", durationMs: 20 });
    if (!started.started) throw new Error(`the simulator did not start the task: ${started.reason}`);
    const rest = await sendFlood(udpPort, COUNT - first.sent, 2, forgedTask);
    for (let i = 0; mailAt === undefined && i < ALERT_TIMEOUT_MS / 100; i++) await Bun.sleep(100);
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
    return {
      admitted,
      variant: v.slowQrsMs > 0 ? `, QRS answering execution reads in ${v.slowQrsMs} ms` : "",
      alertDelayMs: mailAt !== undefined && failureAt !== undefined ? mailAt - failureAt : undefined,
      growthPeakBytes: peak - before,
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
    for (const v of only > 0 ? VARIANTS.filter((x) => x.name === process.argv[only + 1]) : VARIANTS) {
      const r = await oneRun(v, work);
      console.log(
        [
          `udp.allowedSources: ${r.admitted}${r.variant}`,
          `  sent ${r.sent} forged datagrams of ${BYTES} bytes from ${FORGER} in ${r.sendSeconds.toFixed(1)} s (paced at ${RATE}/s), one real failure from the node after the first third`,
          `  real failure's alert delay: ${r.alertDelayMs === undefined ? "no alert" : `${(r.alertDelayMs / 1000).toFixed(2)} s`} (target ≤ 5 s)`,
          `  store growth: peak ${mb(r.growthPeakBytes)} MB, at the end ${mb(r.growthEndBytes)} MB (target ≤ 10 MB)`,
          `  /health p99: ${r.healthP99Ms.toFixed(1)} ms over ${r.healthSamples} requests (target ≤ 100 ms)`,
          `  intake: ${r.overflow}`,
          `  load average before ${r.load.before}, after ${r.load.after}`,
        ].join("\n"),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
