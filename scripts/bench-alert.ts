// Bench section: end-to-end alert latency — from the failed-task datagram reaching Steward's UDP port to the
// alert mail accepted by an SMTP server, and to the alert's webhook received (issue 78: median ≤ 25 ms), with
// enrichment from the simulator's QRS. The simulator's datagrams go through a relay socket in this process, which
// timestamps them. Baseline for the mail: a bare datagram → nodemailer relay (there is none for the webhook).
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
  /** Failures timed to the webhook (default 30). */
  webhookSamples?: number;
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

type Kind = "mail" | "webhook";

interface Timing {
  ms: number[];
  missing?: string;
}

interface TimingContext {
  o: AlertSectionOptions;
  qlikYaml: string;
  /** The last failure datagram the relay saw, stamped on arrival. */
  seen: { failure?: { at: number; data: Buffer } };
  forwardTo(port: number): void;
  waitItem(kind: Kind, timeoutMs: number): Promise<number | undefined>;
  startFailure(): void;
}

/** One Steward routing every task.failed to one channel (`renotify: every`, Butler's behaviour: by default a task failing again updates its open incident and pages no one); each failure timed from the datagram to the item captured. */
async function timeSteward(c: TimingContext, name: string, channelYaml: string[], kind: Kind, samples: number): Promise<Timing> {
  const yaml = [c.qlikYaml, "channels:", ...channelYaml, "routes:", "  - { on: [task.failed], to: [bench-out], renotify: every }"].join("\n");
  let steward: Awaited<ReturnType<typeof startSteward>>;
  try {
    steward = await startSteward(c.o.stewardBin, join(c.o.workDir, name), yaml);
  } catch (err) {
    return { ms: [], missing: `not measured: Steward did not start with a ${kind} channel and the simulator (${(err as Error).message.split("\n")[0]})` };
  }
  c.forwardTo(steward.udpPort);
  const ms: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      c.seen.failure = undefined;
      const timeoutMs = i === 0 ? FIRST_ALERT_TIMEOUT_MS : ALERT_TIMEOUT_MS;
      const arrived = c.waitItem(kind, timeoutMs);
      c.startFailure();
      const t1 = await arrived;
      const failure = c.seen.failure as { at: number } | undefined;
      if (t1 === undefined || !failure) return { ms, missing: `not measured: no alert ${kind} within ${timeoutMs / 1000} s of the datagram` };
      ms.push(t1 - failure.at);
      await Bun.sleep(c.o.gapMs ?? 100);
    }
  } finally {
    await steward.proc.stop();
  }
  c.o.log(`steward alert (${kind}): p50 ${median(ms).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms over ${ms.length} alerts`);
  return { ms };
}

/** The same datagram mailed as is by the bare relay, without enrichment. */
async function timeBareRelay(c: TimingContext, smtpPort: number, samples: number): Promise<number[]> {
  const bare = await startBaseline(c.o.baselineBin, "relay", join(c.o.workDir, "baseline-relay.log"), smtpPort);
  const sender = createSocket("udp4");
  const ms: number[] = [];
  try {
    const datagram =
      c.seen.failure?.data ??
      Buffer.from(
        `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;;INTERNAL\\sa_scheduler;${TASK_ID};;2025-11-03 06:00:41,512;WARN;e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10;Max retries reached`,
      );
    for (let i = 0; i < samples; i++) {
      const mail = c.waitItem("mail", ALERT_TIMEOUT_MS);
      const t0 = performance.now();
      sender.send(datagram, bare.udpPort!, "127.0.0.1");
      const t1 = await mail;
      if (t1 === undefined) throw new Error("the bare relay sent no mail");
      ms.push(t1 - t0);
      await Bun.sleep(50);
    }
  } finally {
    sender.close();
    await bare.proc.stop();
  }
  c.o.log(`bare relay: p50 ${median(ms).toFixed(1)} ms`);
  return ms;
}

export async function runAlertSection(o: AlertSectionOptions): Promise<{ figures: Figure[]; raw: unknown }> {
  const samples = o.samples ?? 10;
  const inbox = createCaptureInbox({ host: "127.0.0.1", smtpPort: 0, webhookPort: 0 });
  await inbox.start();
  let next: { kind: Kind; arrived(t: number): void } | undefined;
  inbox.subscribe((item) => {
    if (next && item.kind === next.kind) next.arrived(performance.now());
  });
  const waitItem = (kind: Kind, timeoutMs: number) =>
    new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      next = {
        kind,
        arrived: (t) => {
          clearTimeout(timer);
          next = undefined;
          resolve(t);
        },
      };
    });

  // The relay stamps each failure datagram on arrival and forwards it to Steward.
  const relay = createSocket("udp4");
  let forwardPort = 0;
  const seen: TimingContext["seen"] = {};
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

  let mail: Timing;
  let webhook: Timing;
  let bareMs: number[];
  try {
    const c: TimingContext = {
      o,
      qlikYaml: `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)} }`,
      seen,
      forwardTo: (port) => {
        forwardPort = port;
      },
      waitItem,
      startFailure: () => {
        const started = sim.tasks.start(TASK_ID, { outcome: "fail", durationMs: 20 });
        if (!started.started) throw new Error(`the simulator did not start the task: ${started.reason}`);
      },
    };
    const mailChannel = [
      "  bench-out:",
      "    type: email",
      `    smtp: { host: 127.0.0.1, port: ${inbox.smtpPort()}, security: none }`,
      '    from: "Steward bench <steward@bench.example>"',
      "    to: [ops@bench.example]",
    ];
    mail = await timeSteward(c, "steward-alert", mailChannel, "mail", samples);
    const hookChannel = ["  bench-out:", "    type: webhook", `    url: ${inbox.webhookUrl()}/hooks/bench`];
    webhook = await timeSteward(c, "steward-alert-webhook", hookChannel, "webhook", o.webhookSamples ?? 30);
    bareMs = await timeBareRelay(c, inbox.smtpPort(), samples);
  } finally {
    await sim.stop();
    relay.close();
    await inbox.stop();
  }

  for (const t of [mail, webhook]) if (t.missing) o.log(`steward alert: ${t.missing}`);
  const enriched = "enriched from the simulator's QRS (task, app, owner, execution, script log)";
  const figures: Figure[] = [
    {
      metric: "Alert latency, datagram → SMTP accepted (p50)",
      unit: "ms",
      steward: mail.ms.length ? round1(median(mail.ms)) : undefined,
      baseline: round1(median(bareMs)),
      note: mail.missing ?? `${mail.ms.length} failed reloads, ${enriched}; bare: datagram mailed as is`,
    },
    {
      metric: "Alert latency, datagram → SMTP accepted (max)",
      unit: "ms",
      steward: mail.ms.length ? round1(Math.max(...mail.ms)) : undefined,
      baseline: round1(Math.max(...bareMs)),
      note: mail.ms.length ? `p90 ${round1(percentile(mail.ms, 90))} ms` : undefined,
    },
    {
      metric: "Alert latency, datagram → webhook received (p50)",
      unit: "ms",
      steward: webhook.ms.length ? round1(median(webhook.ms)) : undefined,
      note:
        webhook.missing ??
        `${webhook.ms.length} failed reloads, ${enriched}; p95 ${round1(percentile(webhook.ms, 95))} ms, max ${round1(Math.max(...webhook.ms))} ms (issue 78: median ≤ 25 ms)`,
    },
  ];
  return { figures, raw: { stewardMs: mail.ms, webhookMs: webhook.ms, bareMs, missing: mail.missing, webhookMissing: webhook.missing } };
}
