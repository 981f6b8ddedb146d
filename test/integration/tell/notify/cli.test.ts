// `steward alert preview|test` and `steward config check` as a user runs them (child processes), against
// real receivers: a preview sends nothing, a test alert arrives, a broken template fails the config check.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess } from "../../../helpers/child-process";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./receivers";
import { wallLimit } from "../../../helpers/time-limit";

const REPO = join(import.meta.dir, "../../../..");

async function steward(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = startProcess(process.execPath, ["src/main.ts", ...args], { cwd: REPO });
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe("steward alert and config check", () => {
  let dir: TempDir;
  let rx: HttpReceiver;
  let smtp: SmtpReceiver;
  let config: string;

  beforeAll(async () => {
    dir = createTempDir("steward-alert-cli-");
    rx = startHttpReceiver();
    smtp = await startSmtpReceiver();
    config = join(dir.path, "steward.yaml");
    writeFileSync(
      config,
      `dataDir: ./data
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  audit-hook: { type: webhook, url: "${rx.url}/audit/qlik?token=s3cr3t" }
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: failures, on: [task.failed], to: [hook, mail], recipients: { appOwner: { exclude: ["CORP\\\\anna"] } } }
  - { name: successes, on: [task.succeeded], to: [hook] }
  - { name: audit, on: [task.failed], to: [audit-hook] }
`,
    );
  });
  afterAll(async () => {
    await rx?.stop();
    await smtp?.stop();
    dir?.remove();
  });

  test("alert preview prints matching routes, recipients and rendered subjects, and sends nothing", { timeout: wallLimit(30_000) }, async () => {
    const r = await steward("alert", "preview", "--config", config, "--kind", "task.failed", "--task-name", "Nightly ETL");
    expect(r.code).toBe(0);
    expect(r.out).toContain("✔ failures → hook, mail");
    expect(r.out).toContain("✘ successes: on: task.failed is not in [task.succeeded]");
    expect(r.out).toContain("skipped anna@corp.example (mail): app owner in appOwner.exclude");
    expect(r.out).toContain("[failures] mail (email) to ops@corp.example — send");
    expect(r.out).toContain("subject: [Qlik Sense] Reload task failed: Nightly ETL (Sales dashboard)");
    // Two webhooks on one host are told apart by their path; the query string (often a token) stays hidden.
    expect(r.out).toContain(`[failures] hook (webhook) — send\n      POST ${rx.url}/hook\n`);
    expect(r.out).toContain(`[audit] audit-hook (webhook) — send\n      POST ${rx.url}/audit/qlik?…\n`);
    expect(r.out).not.toContain("s3cr3t");
    const json = await steward("alert", "preview", "--config", config, "--kind", "task.succeeded", "--task-type", "preload", "--json");
    expect(json.code).toBe(0);
    const p = JSON.parse(json.out) as { deliveries: Array<{ channel: string; rendered: { body: { event: string } } }> };
    expect(p.deliveries.map((d) => d.channel)).toEqual(["hook"]);
    expect(p.deliveries[0]!.rendered.body.event).toBe("Qlik Sense preload task succeeded");
    expect(rx.requests.length).toBe(0);
    expect(smtp.mails.length).toBe(0);
  });

  test("alert test sends one test alert through the named channel", { timeout: wallLimit(30_000) }, async () => {
    const r = await steward("alert", "test", "--channel", "hook", "--config", config);
    expect(r.code).toBe(0);
    expect(r.out).toContain("sent: hook");
    expect(rx.requests.length).toBe(1);
    expect(JSON.parse(rx.requests[0]!.body).taskName).toStartWith("Steward test");
    const m = await steward("alert", "test", "--channel", "mail", "--config", config, "--kind", "service.stopped");
    expect(m.code).toBe(0);
    expect(m.out).toContain("sent: mail → ops@corp.example");
    expect(smtp.mails.map((x) => x.mail.subject)).toEqual(["[Qlik Sense] Service stopped: Scheduler on sense1.corp.example"]);
    const bad = await steward("alert", "test", "--channel", "pager", "--config", config);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("no channel named pager (channels: hook, audit-hook, mail)");
  });

  test("alert test reports a failed send with exit 1", { timeout: wallLimit(30_000) }, async () => {
    rx.respondWith(503);
    const r = await steward("alert", "test", "--channel", "hook", "--config", config);
    rx.respondWith(200);
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed: hook: webhook hook answered HTTP 503");
  });

  test("config check renders every template: a broken override fails with its file named", { timeout: wallLimit(30_000) }, async () => {
    const ok = await steward("config", "check", config);
    expect(ok.code).toBe(0);
    mkdirSync(join(dir.path, "my-templates", "email"), { recursive: true });
    writeFileSync(join(dir.path, "my-templates", "email", "task.failed.subject.eta"), "Failed: <%= it.task.nme.toUpperCase() %>");
    const broken = join(dir.path, "broken.yaml");
    writeFileSync(
      broken,
      `${"dataDir: ./data2\n"}notify: { templatesDir: ./my-templates }\nchannels:\n  mail: { type: email, smtp: { host: h.invalid }, from: s@corp.example, to: [o@corp.example] }\n`,
    );
    const r = await steward("config", "check", broken);
    expect(r.code).toBe(2);
    expect(r.err).toContain(join(dir.path, "my-templates", "email", "task.failed.subject.eta"));
    expect(r.err).toContain("channels.mail: template email/task.failed.subject");
  });

  test("config check fails a template that prints a missing value, naming the file, the line and the expression", { timeout: wallLimit(30_000) }, async () => {
    // Renders without an error, but the subject would read "Task undefined failed".
    mkdirSync(join(dir.path, "undef-templates", "email"), { recursive: true });
    const file = join(dir.path, "undef-templates", "email", "task.failed.text.eta");
    writeFileSync(file, "Task <%= it.taskName %> failed\nOwner: <%= it.event.task.owner %>\n");
    const undef = join(dir.path, "undef.yaml");
    writeFileSync(
      undef,
      `dataDir: ./data4\nchannels:\n  ops-mail: { type: email, smtp: { host: h.invalid }, from: s@corp.example, to: [o@corp.example], templates: ./undef-templates }\n`,
    );
    const r = await steward("config", "check", undef);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`channels.ops-mail: template email/task.failed.text (${file}) failed: line 2: it.event.task.owner is undefined, nothing to print`);
  });

  test("config check renders past a channel's size limit: the override fails with its file named", { timeout: wallLimit(30_000) }, async () => {
    // Renders fine, but 60 blocks: Slack refuses more than 50, so a real alert would go out in the plain form.
    mkdirSync(join(dir.path, "slack-templates", "slack"), { recursive: true });
    const file = join(dir.path, "slack-templates", "slack", "task.aborted.json.eta");
    writeFileSync(file, '<%~ json({ text: it.taskName, blocks: Array.from({ length: 60 }, () => ({ type: "divider" })) }) %>');
    const big = join(dir.path, "big.yaml");
    writeFileSync(big, `dataDir: ./data3\nchannels:\n  chat: { type: slack, webhookUrl: "http://127.0.0.1:9/x", templates: ./slack-templates }\n`);
    const r = await steward("config", "check", big);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`channels.chat: template slack/task.aborted.json (${file}) renders more than the channel takes: 60 blocks; Slack takes at most 50`);
  });
});
