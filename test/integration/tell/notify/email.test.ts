// Email channel against a real SMTP server (smtp-server): recipients from every source de-duplicated, HTML +
// text + script log attachment, test mode as Qalyptus does it, TLS modes actually enforced, and an SMTP server
// that is down for a while: every alert arrives exactly once when it is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { generateCertSet } from "../../../../src/sim/certs/generate";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./receivers";
import { cachedCertSet } from "../../../helpers/sim-certs";

type Delivery = { id: number; status: string; attempts: number; recipient: string | null; target: string | null; reason: string | null; channel: string };

async function deliveries(t: TestApp, query = ""): Promise<Delivery[]> {
  return ((await (await t.request(`/v4/deliveries?limit=1000${query}`)).json()) as { deliveries: Delivery[] }).deliveries;
}

function failedWithRecipients(): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: "Finance ETL", appName: "Finance" });
  e.task.customProperties.push({ name: "Steward_AlertTo", value: "dev1@corp.example; DEV2@corp.example,ops@corp.example" });
  return e;
}

const mailRoute = (extra = "") => `
routes:
  - name: failures
    on: [task.failed]
    to: [mail]
    recipients:
      fromCustomProperty: Steward_AlertTo
      appOwner: { enabled: true }${extra}
`;

describe("email channel", () => {
  let smtp: SmtpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = createTestApp(`
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: "Qlik Sense alerts <steward@corp.example>"
    to: [ops@corp.example, Anna@corp.example]
    cc: [cc@corp.example]
${mailRoute()}
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  test("one mail per de-duplicated recipient, HTML + text, script log attached, stable Message-ID", async () => {
    const e = failedWithRecipients();
    await t.app.bus.emit("task.failed", e);
    await waitFor(() => smtp.mails.length >= 4, { what: "4 mails" });
    await Bun.sleep(150);
    expect(smtp.mails.length).toBe(4);
    // Static ops@ and Anna@ (= the owner anna@), task CP dev1@, DEV2@ (ops@ again is dropped).
    const to = smtp.mails
      .map((m) =>
        (m.mail.to ?? [])
          .map((a) => a.address)
          .join(",")
          .toLowerCase(),
      )
      .sort();
    expect(to).toEqual(["anna@corp.example", "dev1@corp.example", "dev2@corp.example", "ops@corp.example"]);
    for (const m of smtp.mails) {
      expect(m.envelopeFrom).toBe("steward@corp.example");
      // CC is added to every mail (and so is in every envelope).
      expect(m.envelopeTo).toContain("cc@corp.example");
      expect(m.mail.subject).toBe("[Qlik Sense] Reload task failed: Finance ETL (Finance)");
      expect(m.mail.cc?.map((a) => a.address)).toEqual(["cc@corp.example"]);
      expect(m.mail.html).toContain("Reload task failed: Finance ETL");
      expect(m.mail.html).toContain('role="presentation"');
      expect(m.mail.html).toContain("Field &#39;CustomerKey&#39; not found");
      expect(m.mail.text).toContain("Task:         Finance ETL");
      expect(m.mail.headers.find((h) => h.key === "x-priority")?.value).toContain("1");
      expect(m.mail.attachments.length).toBe(1);
      const a = m.mail.attachments[0]!;
      expect(a.filename).toMatch(/^Finance ETL_\d{8}-\d{6}\.log$/);
      const content = typeof a.content === "string" ? a.content : new TextDecoder().decode(a.content);
      expect(content).toBe(e.scriptLog!.text!);
      expect(m.mail.messageId).toMatch(/^<[0-9a-f]{40}@corp\.example>$/);
    }
    expect(new Set(smtp.mails.map((m) => m.mail.messageId)).size).toBe(4);
    // One pooled transport: the four mails share at most smtp.maxConnections (2) connections.
    expect(smtp.sessions).toBeLessThanOrEqual(2);
    const list = await deliveries(t, "&status=delivered");
    expect(list.length).toBe(4);
  });

  test("a succeeded task gets no attachment and normal priority", async () => {
    const route = t.app.config.routes[0]!;
    expect(route.on).toEqual(["task.failed"]);
    // Send through the one-channel test path: it bypasses routes and uses the channel's own `to`.
    const before = smtp.mails.length;
    const res = await t.request("/v4/alerts/test?channel=mail", {
      method: "POST",
      body: JSON.stringify({ kind: "task.succeeded", taskName: "Steward test: OK run" }),
    });
    expect(res.status).toBe(202);
    await waitFor(() => smtp.mails.length >= before + 2, { what: "2 test mails" });
    const sent = smtp.mails.slice(before);
    expect(sent.map((m) => m.envelopeTo[0]).sort()).toEqual(["Anna@corp.example", "ops@corp.example"]);
    for (const m of sent) {
      expect(m.mail.subject).toContain("Reload task succeeded: Steward test: OK run");
      expect(m.mail.attachments.length).toBe(0);
      expect(m.mail.headers.find((h) => h.key === "x-priority")?.value ?? "3").toContain("3");
    }
  });
});

describe("test mode", () => {
  let smtp: SmtpReceiver;
  let rx: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    rx = startHttpReceiver();
    t = createTestApp(`
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [ops@corp.example]
    cc: [cc@corp.example]
    bcc: [audit@corp.example]
  chat: { type: slack, webhookUrl: "${rx.url}/real-slack" }
  hook: { type: webhook, url: "${rx.url}/real-hook", testTarget: "${rx.url}/test-hook" }
routes:
  - name: failures
    on: [task.failed]
    to: [mail, chat, hook]
    recipients: { fromCustomProperty: Steward_AlertTo, appOwner: { enabled: true } }
notify:
  testMode: { enabled: true, email: qa@corp.example }
`);
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await rx?.stop();
  });

  test("every mail goes to the test address, one per original recipient, original in the subject, no CC/BCC; nobody else gets anything", async () => {
    await t.app.bus.emit("task.failed", failedWithRecipients());
    // Every send has ended once the outbox records it delivered (after the receiver's answer): then the receivers
    // hold all there will be, and a second send of one delivery would show as a fifth mail.
    await waitFor(async () => (await deliveries(t, "&status=delivered")).length === 5, { what: "4 mails and the webhook delivered" });
    expect(smtp.mails.length).toBe(4);
    for (const m of smtp.mails) {
      expect(m.envelopeTo).toEqual(["qa@corp.example"]);
      expect(m.mail.to?.map((a) => a.address)).toEqual(["qa@corp.example"]);
      expect(m.mail.cc).toBeUndefined();
      expect(m.raw).not.toContain("audit@corp.example");
      expect(m.raw).not.toContain("cc@corp.example");
    }
    const originals = smtp.mails.map((m) => /^\[([^\]]+)\] /.exec(m.mail.subject ?? "")?.[1]?.toLowerCase()).sort();
    expect(originals).toEqual(["anna@corp.example", "dev1@corp.example", "dev2@corp.example", "ops@corp.example"]);
    expect(smtp.mails.every((m) => (m.mail.subject ?? "").endsWith("Reload task failed: Finance ETL (Finance)"))).toBe(true);
    // The webhook went to its test target; Slack (no testTarget) was held back.
    expect(rx.requests.map((r) => r.path)).toEqual(["/test-hook"]);
    const held = await deliveries(t, "&status=suppressed");
    expect(held.map((d) => [d.channel, d.reason])).toEqual([["chat", "test mode: this channel has no testTarget"]]);
  });
});

describe("TLS modes", () => {
  const certs = cachedCertSet();
  let dir: TempDir;
  let runs = 0;
  beforeAll(() => {
    dir = createTempDir("steward-smtp-tls-");
    writeFileSync(join(dir.path, "ca.pem"), certs.ca);
  });
  afterAll(() => dir?.remove());

  async function sendOne(security: string, smtp: SmtpReceiver, extra = ""): Promise<{ t: TestApp; event: TaskEvent }> {
    const t = createTestApp(
      `
dataDir: ./data-${++runs}
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: ${security}, ca: ./ca.pem, servername: localhost${extra} }
    from: steward@corp.example
    to: [ops@corp.example]
    timeout: 5s
routes:
  - { on: [task.failed], to: [mail] }
notify:
  outbox: { initialBackoff: 100ms, maxBackoff: 200ms }
`,
      { dir: dir.path },
    );
    await t.app.start();
    const event = syntheticTaskEvent({ outcome: "failed" });
    await t.app.bus.emit("task.failed", event);
    return { t, event };
  }

  test("starttls: required — a server without STARTTLS gets nothing, not even in plain text", async () => {
    const smtp = await startSmtpReceiver({ hideStartTls: true });
    const { t } = await sendOne("starttls", smtp);
    try {
      const d = await waitFor(async () => (await deliveries(t)).find((x) => x.attempts >= 2 && x.status === "pending"), { what: "a retried delivery" });
      expect(smtp.mails.length).toBe(0);
      const row = (await t.app.notify.get(d.id))!;
      expect(row.lastError).toMatch(/STARTTLS/i);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });

  test("starttls with a private CA and auth: delivered over TLS", async () => {
    const smtp = await startSmtpReceiver({ tls: { key: certs.serverKey, cert: certs.serverCert }, auth: { user: "steward", pass: "mail-pass-123" } });
    const { t } = await sendOne("starttls", smtp, ", auth: { user: steward, password: mail-pass-123 }");
    try {
      await waitFor(() => smtp.mails.length === 1, { what: "1 mail" });
      expect(smtp.mails[0]!.secure).toBe(true);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });

  test("tls: implicit TLS from the first byte", async () => {
    const smtp = await startSmtpReceiver({ secure: true, tls: { key: certs.serverKey, cert: certs.serverCert } });
    const { t } = await sendOne("tls", smtp);
    try {
      await waitFor(() => smtp.mails.length === 1, { what: "1 mail" });
      expect(smtp.mails[0]!.secure).toBe(true);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });

  test("a certificate from an unknown CA is refused", async () => {
    const other = generateCertSet();
    const smtp = await startSmtpReceiver({ tls: { key: other.serverKey, cert: other.serverCert } });
    const { t } = await sendOne("starttls", smtp);
    try {
      const d = await waitFor(async () => (await deliveries(t)).find((x) => x.attempts >= 1 && x.status === "pending"), { what: "a failed attempt" });
      expect((await t.app.notify.get(d.id))!.lastError).toMatch(/certificate|self.signed|unable to verify/i);
      expect(smtp.mails.length).toBe(0);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });

  test("opportunistic: plain text when the server offers no STARTTLS", async () => {
    const smtp = await startSmtpReceiver({ hideStartTls: true });
    const { t } = await sendOne("opportunistic", smtp);
    try {
      await waitFor(() => smtp.mails.length === 1, { what: "1 mail" });
      expect(smtp.mails[0]!.secure).toBe(false);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });
});

describe("SMTP server down for a while", () => {
  test("every alert is delivered exactly once after it comes back", { timeout: 40_000 }, async () => {
    const port = await freeTcpPort();
    const t = createTestApp(`
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${port}, security: none }
    from: steward@corp.example
    to: [ops@corp.example, dba@corp.example]
    timeout: 3s
routes:
  - { on: [task.failed, task.aborted], to: [mail] }
notify:
  outbox: { initialBackoff: 100ms, maxBackoff: 400ms, concurrency: 3 }
`);
    let smtp: SmtpReceiver | undefined;
    try {
      await t.app.start();
      const events = Array.from({ length: 6 }, (_, i) => syntheticTaskEvent({ outcome: i % 2 ? "aborted" : "failed", taskName: `Job ${i}` }));
      for (const e of events) await t.app.bus.emit(e.kind, e);
      // Every delivery has failed at least twice while nothing listens.
      await waitFor(
        async () => {
          const list = await deliveries(t);
          return list.length === 12 && list.every((d) => d.attempts >= 2 && d.status === "pending");
        },
        { what: "12 deliveries retried at least twice", timeoutMs: 15_000 },
      );
      smtp = await startSmtpReceiver({ port });
      await waitFor(async () => (await deliveries(t, "&status=delivered")).length === 12, { what: "all delivered", timeoutMs: 15_000 });
      await Bun.sleep(500);
      expect(smtp.mails.length).toBe(12);
      const keys = smtp.mails.map((m) => `${m.envelopeTo[0]} ${m.mail.subject}`);
      expect(new Set(keys).size).toBe(12);
      for (const e of events) {
        for (const rcpt of ["ops@corp.example", "dba@corp.example"]) {
          expect(keys.filter((k) => k.startsWith(rcpt) && k.includes(`: ${e.task.name}`)).length).toBe(1);
        }
      }
    } finally {
      await t.close();
      await smtp?.stop();
    }
  });
});
