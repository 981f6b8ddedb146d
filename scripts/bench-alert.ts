// Bench section: end-to-end alert latency — from the failed-task datagram reaching Steward's UDP port to the
// alert mail accepted by an SMTP server, with enrichment from the simulator's QRS. The simulator's datagrams go
// through a relay socket in this process, which timestamps them. Baseline: a bare datagram → nodemailer relay.
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { createCaptureInbox } from "../src/show/demo/capture-inbox";
import { startSimulator } from "../src/sim";
import { freeUdpPort, median } from "./bench-proc";
import type { Figure } from "./bench-report";
import { startBaseline, startSteward } from "./bench-targets";

export interface AlertSectionOptions {
  stewardBin: string;
  baselineBin: string;
  workDir: string;
  log: (line: string) => void;
  samples?: number;
  /** Pause between two failures (default 100 ms); past 5 s the QRS connection has been closed (idle-agent.ts). */
  gapMs?: number;
}

/** "Reload Sales dashboard" in the default simulated site. */
const TASK_ID = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const FIRST_ALERT_TIMEOUT_MS = 30_000;
const ALERT_TIMEOUT_MS = 15_000;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function runAlertSection(o: AlertSectionOptions): Promise<{ figures: Figure[]; raw: unknown }> {
  const samples = o.samples ?? 10;
  const inbox = createCaptureInbox({ host: "127.0.0.1", smtpPort: 0, webhookPort: 0 });
  await inbox.start();
  let nextMail: ((t: number) => void) | undefined;
  inbox.subscribe((item) => item.kind === "mail" && nextMail?.(performance.now()));
  const waitMail = (timeoutMs: number) =>
    new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      nextMail = (t) => {
        clearTimeout(timer);
        nextMail = undefined;
        resolve(t);
      };
    });

  // The relay stamps each failure datagram on arrival and forwards it to Steward.
  const relay = createSocket("udp4");
  let forwardPort = 0;
  const seen: { failure?: { at: number; data: Buffer } } = {};
  relay.on("message", (data) => {
    if (data.subarray(0, 24).toString().toLowerCase().includes("failed")) seen.failure = { at: performance.now(), data };
    relay.send(data, forwardPort, "127.0.0.1");
  });
  const relayPort = await freeUdpPort();
  await new Promise<void>((r) => relay.bind(relayPort, "127.0.0.1", () => r()));

  const sim = await startSimulator({
    certDir: join(o.workDir, "sim-certs"),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { udp: { targets: [{ host: "127.0.0.1", port: relayPort }] } },
  });

  const stewardMs: number[] = [];
  const bareMs: number[] = [];
  let missing: string | undefined;
  try {
    const yaml = [
      `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)} }`,
      "channels:",
      "  bench-mail:",
      "    type: email",
      `    smtp: { host: 127.0.0.1, port: ${inbox.smtpPort()}, security: none }`,
      '    from: "Steward bench <steward@bench.example>"',
      "    to: [ops@bench.example]",
      "routes:",
      "  - { on: [task.failed], to: [bench-mail] }",
    ].join("\n");
    let steward: Awaited<ReturnType<typeof startSteward>> | undefined;
    try {
      steward = await startSteward(o.stewardBin, join(o.workDir, "steward-alert"), yaml);
    } catch (err) {
      missing = `not measured: Steward did not start with an SMTP channel and the simulator (${(err as Error).message.split("\n")[0]})`;
    }
    if (steward) {
      forwardPort = steward.udpPort;
      try {
        for (let i = 0; i < samples; i++) {
          seen.failure = undefined;
          const mail = waitMail(i === 0 ? FIRST_ALERT_TIMEOUT_MS : ALERT_TIMEOUT_MS);
          const started = sim.tasks.start(TASK_ID, { outcome: "fail", durationMs: 20 });
          if (!started.started) throw new Error(`the simulator did not start the task: ${started.reason}`);
          const t1 = await mail;
          const failure = seen.failure as { at: number } | undefined;
          if (t1 === undefined || !failure) {
            missing = `not measured: no alert mail within ${(i === 0 ? FIRST_ALERT_TIMEOUT_MS : ALERT_TIMEOUT_MS) / 1000} s of the datagram (intake or notify not wired into the app yet?)`;
            break;
          }
          stewardMs.push(t1 - failure.at);
          await Bun.sleep(o.gapMs ?? 100);
        }
      } finally {
        await steward.proc.stop();
      }
      if (!missing) o.log(`steward alert: p50 ${median(stewardMs).toFixed(1)} ms over ${stewardMs.length} alerts`);
    }

    // Baseline: the same datagram mailed as is, without enrichment.
    const bare = await startBaseline(o.baselineBin, "relay", join(o.workDir, "baseline-relay.log"), inbox.smtpPort());
    const sender = createSocket("udp4");
    try {
      const datagram =
        seen.failure?.data ??
        Buffer.from(
          `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;;INTERNAL\\sa_scheduler;${TASK_ID};;2025-11-03 06:00:41,512;WARN;e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10;Max retries reached`,
        );
      for (let i = 0; i < samples; i++) {
        const mail = waitMail(ALERT_TIMEOUT_MS);
        const t0 = performance.now();
        sender.send(datagram, bare.udpPort!, "127.0.0.1");
        const t1 = await mail;
        if (t1 === undefined) throw new Error("the bare relay sent no mail");
        bareMs.push(t1 - t0);
        await Bun.sleep(50);
      }
    } finally {
      sender.close();
      await bare.proc.stop();
    }
    o.log(`bare relay: p50 ${median(bareMs).toFixed(1)} ms`);
  } finally {
    await sim.stop();
    relay.close();
    await inbox.stop();
  }

  if (missing) o.log(`steward alert: ${missing}`);
  const figures: Figure[] = [
    {
      metric: "Alert latency, datagram → SMTP accepted (p50)",
      unit: "ms",
      steward: stewardMs.length ? round1(median(stewardMs)) : undefined,
      baseline: round1(median(bareMs)),
      note:
        missing ??
        `${stewardMs.length} failed reloads, enriched from the simulator's QRS (task, app, owner, execution, script log); bare: datagram mailed as is`,
    },
    {
      metric: "Alert latency, datagram → SMTP accepted (max)",
      unit: "ms",
      steward: stewardMs.length ? round1(Math.max(...stewardMs)) : undefined,
      baseline: round1(Math.max(...bareMs)),
      note: stewardMs.length ? `p90 ${round1(percentile(stewardMs, 90))} ms` : undefined,
    },
  ];
  return { figures, raw: { stewardMs, bareMs, missing } };
}
