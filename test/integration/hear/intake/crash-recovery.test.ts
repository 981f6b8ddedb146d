// "A crash, a killed process or an unreachable mail server must not lose an alert", end to end: Steward runs as
// a child process fed by the simulator's Scheduler (UDP) and QRS, mails go to an in-test SMTP server, and
// Steward is SIGKILLed mid-enrichment, mid-SMTP, mid-distribute-poll, or stopped while runs end. After a restart
// on the same data directory every failed run has produced exactly one accepted mail (counted per ExecutionId).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { simControl } from "../../../helpers/sim-control";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";
import { IDS, SITE_YAML } from "./harness";
import { simCertDir } from "../../../helpers/sim-certs";
import { wallLimit } from "../../../helpers/time-limit";

const REPO = join(import.meta.dir, "../../../..");
const dir = createTempDir("steward-crash-recovery-");
const running: RunningProcess[] = [];
let sim: Simulator;
let smtp: SmtpReceiver;
/** Set by a scenario to hold the SMTP server's acknowledgement of a mail. */
let holdHook: ((sessionId: string) => Promise<void>) | undefined;

beforeAll(async () => {
  sim = await startSimulator({
    site: SITE_YAML,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
  smtp = await startSmtpReceiver({ beforeAccept: async (_raw, session) => holdHook?.(session.id) });
});

// A Steward left running would reconcile the next scenario's runs from the same simulator.
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop("SIGKILL", 1000);
});

afterAll(async () => {
  await smtp?.stop();
  await sim?.stop();
  dir.remove();
});

const control = (method: string, path: string, body?: unknown) => simControl(sim, method, path, body);

async function failTask(taskId: string): Promise<string> {
  await waitFor(async () => !((await control("GET", `/tasks/${taskId}`)) as { running: boolean }).running, { what: `task ${taskId} to be idle` });
  return ((await control("POST", `/tasks/${taskId}/run`, { outcome: "fail", durationMs: 60 })) as { executionId: string }).executionId;
}

/** Mails of one execution accepted by `rx` (the delivery key in X-Steward-Delivery starts with the event id). */
function mailsFor(executionId: string, rx: SmtpReceiver = smtp): number {
  return rx.mails.filter((m) => m.mail.headers.some((h) => h.key === "x-steward-delivery" && h.value.trim().startsWith(`${executionId}:`))).length;
}

async function expectOneMailEach(executionIds: string[], rx: SmtpReceiver = smtp): Promise<void> {
  const counts = () => executionIds.map((id) => mailsFor(id, rx));
  await waitFor(() => counts().every((n) => n >= 1), { what: `a mail for each of ${executionIds.join(", ")}`, timeoutMs: 15_000 }).catch((err) => {
    // What the Stewards said helps more than a bare timeout.
    for (const p of running) console.error(`Steward ${p.pid} output:\n${p.output().slice(-4000)}`);
    throw err;
  });
  await Bun.sleep(1_000); // a duplicate would come now
  expect(counts()).toEqual(executionIds.map(() => 1));
}

interface Steward {
  readonly proc: RunningProcess;
  start(): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  kill(): Promise<void>;
}

/** A Steward config in its own folder (data dir kept across restarts), aimed at by the simulator's Scheduler. */
async function steward(name: string, intake: Record<string, unknown>, smtpPort = smtp.port): Promise<Steward> {
  const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
  const folder = join(dir.path, name);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  const base = `http://127.0.0.1:${httpPort}`;
  writeFileSync(
    config,
    `dataDir: ./data
logging: { level: info }
http: { host: 127.0.0.1, port: ${httpPort} }
udp: { host: 127.0.0.1, port: ${udpPort} }
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 60000
  retries: 0
intake: ${JSON.stringify(intake)}
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none, maxConnections: 1 }
    from: steward@corp.example
    to: [ops@corp.example]
    timeout: 30s
routes:
  - { on: [task.failed], to: [mail], renotify: every }
notify:
  outbox: { concurrency: 1, initialBackoff: 200ms, maxBackoff: 1s }
`,
  );
  await control("PUT", "/udp/targets", [`127.0.0.1:${udpPort}`]);
  let proc!: RunningProcess;
  return {
    get proc() {
      return proc;
    },
    async start() {
      proc = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
      running.push(proc);
      await waitForHttp(`${base}/health`, { timeoutMs: 20_000 });
    },
    async metric(metric, labels = {}) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      for (const line of text.split("\n")) {
        const [series = "", value] = line.split(" ");
        if (series === metric && want.length === 0) return Number(value);
        if (series.startsWith(`${metric}{`) && want.every((w) => series.includes(w))) return Number(value);
      }
      return 0;
    },
    async kill() {
      process.kill(proc.pid, "SIGKILL");
      await proc.exited;
    },
  };
}

/** Enrichment lookups that may wait long, and reconciliation passes every half second for runs older than 1 s. */
const SLOW_QRS_INTAKE = {
  enrichment: { lookupTimeoutMs: 60_000, finalStatusAttempts: 20, finalStatusDelayMs: 25, scriptLog: { attempts: 2, retryDelayMs: 50 } },
  reconcile: { intervalSeconds: 0.5, settleSeconds: 1 },
};

describe("crash recovery: every failed run gives exactly one mail", () => {
  test("SIGKILL while the runs are being enriched (QRS slow), after a reconciliation pass saw them", { timeout: wallLimit(30_000) }, async () => {
    const s = await steward("mid-enrichment", SLOW_QRS_INTAKE);
    await s.start();
    await control("POST", "/faults", { target: "qrs", pathContains: "task/full", delayMs: 60_000, forMs: 60_000 });
    const execs = [await failTask(IDS.reload), await failTask(IDS.externalProgram), await failTask(IDS.userSync)];
    await waitFor(async () => (await s.metric("steward_intake_in_flight")) === 3, { what: "3 runs in enrichment" });
    // Reconciliation passes over the runs while their datagrams are still being enriched (it used to move its
    // watermark past them, so after the kill nothing found them again).
    await waitFor(async () => (await s.metric("steward_intake_deduplicated_total", { source: "reconcile" })) >= 3, { what: "a pass over the in-flight runs" });
    expect(execs.map((id) => mailsFor(id))).toEqual([0, 0, 0]);
    await s.kill();
    await control("DELETE", "/faults");

    await s.start();
    await expectOneMailEach(execs);
    expect(s.proc.output()).toContain("reconciliation found runs no datagram announced");
    await s.kill();
  });

  test("SIGKILL while the SMTP server holds its reply to the first alert", { timeout: wallLimit(30_000) }, async () => {
    const s = await steward("mid-smtp", SLOW_QRS_INTAKE);
    await s.start();
    let heldSession: string | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    holdHook = async (sessionId) => {
      if (heldSession !== undefined) return;
      heldSession = sessionId;
      await released;
    };
    try {
      const execs = [await failTask(IDS.reload), await failTask(IDS.externalProgram), await failTask(IDS.userSync)];
      await waitFor(() => heldSession, { what: "the first mail to be on the wire" });
      await s.kill();
      await waitFor(() => smtp.closedSessions.has(heldSession!), { what: "the killed client's SMTP session to close" });
      release();
      await Bun.sleep(100);
      expect(execs.map((id) => mailsFor(id))).toEqual([0, 0, 0]);

      await s.start();
      await expectOneMailEach(execs);
      await s.kill();
    } finally {
      holdHook = undefined;
      release();
    }
  });

  test("a distribute run: SIGKILL while its outcome is polled, and again while its final event is enriched", { timeout: wallLimit(40_000) }, async () => {
    // QRS records the outcome 0.5 s after the datagram; the poll looks again only after 3 s, so reconciliation
    // (settle 1 s) meets the run while it is still pending.
    await control("PATCH", "/settings", { timing: { qrsLagMs: 500 } });
    try {
      const s = await steward("distribute", {
        ...SLOW_QRS_INTAKE,
        enrichment: { ...SLOW_QRS_INTAKE.enrichment, distribute: { pollIntervalSeconds: 3, maxWaitMinutes: 1 } },
      });
      await s.start();

      const first = await failTask(IDS.distribute);
      await waitFor(async () => (await s.metric("steward_intake_distribute_pending")) === 1, { what: "a pending distribute poll" });
      await s.kill();
      await s.start();
      expect(s.proc.output()).toContain("resuming distribution polls from the store");
      await expectOneMailEach([first]);

      const before = await s.metric("steward_intake_deduplicated_total", { source: "reconcile" });
      const second = await failTask(IDS.distribute);
      await waitFor(async () => (await s.metric("steward_intake_deduplicated_total", { source: "reconcile" })) > before, {
        what: "reconciliation to skip the pending run",
      });
      const fault = (await control("POST", "/faults", { target: "qrs", pathContains: "task/full", delayMs: 60_000, forMs: 60_000 })) as { id: string };
      // The poll found the final state and the event is being enriched (its task lookup hangs).
      await waitFor(async () => ((await control("GET", "/faults")) as Array<{ id: string; hits: number }>).some((f) => f.id === fault.id && f.hits > 0), {
        what: "the final event's enrichment",
        timeoutMs: 8_000,
      });
      await s.kill();
      await control("DELETE", "/faults");
      await s.start();
      await expectOneMailEach([first, second]);
      await s.kill();
    } finally {
      await control("PATCH", "/settings", { timing: { qrsLagMs: 0 } });
      await control("DELETE", "/faults");
    }
  });

  test("mail server unreachable, Steward killed while the alerts wait for retries: sent once it is back", { timeout: wallLimit(30_000) }, async () => {
    const port = await freeTcpPort();
    const s = await steward("smtp-down", SLOW_QRS_INTAKE, port);
    await s.start();
    const execs = [await failTask(IDS.reload), await failTask(IDS.externalProgram)];
    await waitFor(async () => (await s.metric("steward_notify_deliveries_total", { outcome: "retry" })) >= 2, { what: "failed attempts", timeoutMs: 10_000 });
    await s.kill();
    const late = await startSmtpReceiver({ port });
    try {
      await s.start();
      await expectOneMailEach(execs, late);
      expect(mailsFor(execs[0]!)).toBe(0);
    } finally {
      await late.stop();
    }
  });

  test("runs that fail while Steward is stopped are recovered by reconciliation at start, once", { timeout: wallLimit(30_000) }, async () => {
    const s = await steward("stopped", SLOW_QRS_INTAKE);
    await s.start();
    expect(await s.proc.stop("SIGTERM", 15_000)).toBe(0);
    const execs = [await failTask(IDS.reload), await failTask(IDS.externalProgram)];
    await waitFor(
      async () => {
        const udp = (await control("GET", "/udp")) as { sent: Array<{ text: string }> };
        return execs.every((id) => udp.sent.some((d) => d.text.includes(id)));
      },
      { what: "the datagrams to be sent (to nobody)" },
    );
    await s.start();
    await expectOneMailEach(execs);
    expect(s.proc.output()).toContain("reconciliation found runs no datagram announced");
    await s.kill();
  });
});
