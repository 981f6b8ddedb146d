// Steward killed with SIGKILL while deliveries are queued and one mail is in flight (the SMTP server holds
// its acknowledgement), then started again on the same data directory: every alert arrives exactly once.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPorts } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "./receivers";

const REPO = join(import.meta.dir, "../../../..");
const running: RunningProcess[] = [];
let smtp: SmtpReceiver | undefined;
const dir = createTempDir("steward-crash-");

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL", 1000);
  await smtp?.stop();
  dir.remove();
});

function startSteward(config: string): RunningProcess {
  const p = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
  running.push(p);
  return p;
}

test("SIGKILL mid-queue: nothing lost, nothing duplicated after restart", { timeout: 90_000 }, async () => {
  const [httpPort, smtpPort] = await freeTcpPorts(2);
  const base = `http://127.0.0.1:${httpPort}`;
  let signalHeld!: () => void;
  const held = new Promise<void>((r) => (signalHeld = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let seen = 0;
  let holding = true;
  smtp = await startSmtpReceiver({
    port: smtpPort,
    async beforeAccept() {
      seen++;
      if (holding && seen === 4) {
        signalHeld();
        await released;
      }
    },
  });
  const config = join(dir.path, "steward.yaml");
  writeFileSync(
    config,
    `dataDir: ./data
logging: { level: info }
http: { host: 127.0.0.1, port: ${httpPort} }
udp: { enabled: false }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none, maxConnections: 1 }
    from: steward@corp.example
    to: [ops@corp.example]
    timeout: 20s
routes:
  - { on: [task.failed], to: [mail] }
notify:
  outbox: { concurrency: 1, initialBackoff: 200ms, maxBackoff: 1s }
`,
  );

  const first = startSteward(config);
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  const names: string[] = [];
  for (let i = 0; i < 10; i++) {
    const name = `Crash job ${i}`;
    const res = await fetch(`${base}/v4/alerts/test`, { method: "POST", body: JSON.stringify({ kind: "task.failed", taskName: name }) });
    expect(res.status).toBe(202);
    names.push(name);
  }
  await held;
  // Three mails are acknowledged, the fourth is on the wire without its "250 OK", six wait in the outbox.
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  await waitFor(() => smtp!.closedSessions.size >= 1, { what: "the killed client's SMTP session to close" });
  holding = false;
  release();
  await Bun.sleep(100);
  expect(smtp.mails.length).toBe(3);

  const second = startSteward(config);
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  await waitFor(
    async () => {
      const body = (await (await fetch(`${base}/v4/deliveries?status=delivered`)).json()) as { deliveries: unknown[] };
      return body.deliveries.length === 10;
    },
    { what: "10 delivered", timeoutMs: 30_000 },
  );
  await Bun.sleep(500);

  expect(smtp.mails.length).toBe(10);
  const subjects = smtp.mails.map((m) => m.mail.subject ?? "");
  for (const name of names) expect(subjects.filter((s) => s.includes(`task failed: ${name} (`)).length).toBe(1);
  expect(new Set(smtp.mails.map((m) => m.mail.messageId)).size).toBe(10);
  expect(second.output()).toContain("the previous run did not stop cleanly");
  expect(second.output()).toContain("deliveries interrupted by the last stop are sent again");

  const code = await second.stop("SIGTERM", 15_000);
  expect(code).toBe(0);
});
