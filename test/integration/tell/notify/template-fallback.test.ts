// An alert is never lost to its own formatting: a template that throws, one that dereferences a value that is not
// there, one that prints a value that is not there (also inside a whole-payload json({ … })), one whose output passes Slack's or Teams' size limit, and one that is not JSON each reach a real receiver
// (the in-test SMTP server, Bun.serve for Slack, Teams and a webhook) in the plain form, and nothing is dead-lettered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { doctorCommand } from "../../../../src/show/cli/doctor";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./receivers";

type Delivery = { id: number; channel: string; status: string; attempts: number; reason: string | null };

const TEMPLATES: Record<string, string> = {
  // Throws on purpose.
  "tpl-throws/email/task.failed.subject.eta": "<% throw new Error('subject broke on purpose') %>",
  // Reads a value the variables do not have (it.appOwner is undefined).
  "tpl-missing/email/task.failed.html.eta": "<p>Owner: <%= it.appOwner.email.toLowerCase() %></p>",
  // Prints a value the variables do not have: without the check the subject would read "Task undefined failed".
  "tpl-undefined/email/task.failed.subject.eta": "Task <%= it.noSuchVar %> failed",
  // 60 blocks: Slack refuses more than 50 (HTTP 400 invalid_blocks), which retrying cannot fix.
  "tpl-slack/slack/task.failed.json.eta":
    '<%~ json({ text: it.taskName, blocks: Array.from({ length: 60 }, (_, i) => ({ type: "section", text: { type: "mrkdwn", text: "Block " + i } })) }) %>',
  // A card of ~60 KB: Teams refuses a message past 28 KB.
  "tpl-teams/teams/task.failed.json.eta":
    '<%~ json({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.4", body: [{ type: "TextBlock", text: "x".repeat(60000) }] } }] }) %>',
  // Not JSON at all.
  "tpl-hook/webhook/task.failed.json.eta": "taskName=<%= it.taskName %>",
  // The whole payload one json({ … }) with a value that is not there: JSON.stringify would drop the key unsaid.
  "tpl-json/webhook/task.failed.json.eta": "<%~ json({ task: it.taskName, owner: { mail: it.noSuchOwnerMail } }) %>",
};

describe("a template that fails to render", () => {
  let dir: TempDir;
  let rx: HttpReceiver;
  let smtp: SmtpReceiver;
  let t: TestApp;
  let yaml: string;

  beforeAll(async () => {
    dir = createTempDir("steward-fallback-");
    for (const [file, text] of Object.entries(TEMPLATES)) {
      mkdirSync(dirname(join(dir.path, file)), { recursive: true });
      writeFileSync(join(dir.path, file), text);
    }
    rx = startHttpReceiver(200);
    smtp = await startSmtpReceiver();
    const smtpBlock = `smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example`;
    yaml = `
channels:
  mail-throws: { type: email, ${smtpBlock}, to: [throws@corp.example], templates: ./tpl-throws }
  mail-missing: { type: email, ${smtpBlock}, to: [missing@corp.example], templates: ./tpl-missing }
  mail-undefined: { type: email, ${smtpBlock}, to: [undefined@corp.example], templates: ./tpl-undefined }
  slack-big: { type: slack, webhookUrl: "${rx.url}/slack", templates: ./tpl-slack }
  teams-big: { type: teams, webhookUrl: "${rx.url}/teams", templates: ./tpl-teams }
  hook: { type: webhook, url: "${rx.url}/hook", templates: ./tpl-hook }
  hook-json: { type: webhook, url: "${rx.url}/hook-json", templates: ./tpl-json }
routes:
  - { name: failures, on: [task.failed], to: [mail-throws, mail-missing, mail-undefined, slack-big, teams-big, hook, hook-json] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;
    t = createTestApp(yaml, { dir: dir.path });
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
    await smtp?.stop();
    dir?.remove();
  });

  test("goes out in the plain form on every channel, with the task, the failing lines and a note; none is dead", { timeout: 30_000 }, async () => {
    const event = syntheticTaskEvent({ outcome: "failed", taskName: "Finance nightly reload", appName: "Finance", host: "sense2.corp.example" });
    await t.app.bus.emit("task.failed", event);
    await waitFor(() => smtp.mails.length >= 3 && rx.requests.length >= 4, { what: "three mails and four requests" });

    const mailTo = (to: string) => smtp.mails.find((m) => m.envelopeTo.includes(to))!.mail;
    const throws = mailTo("throws@corp.example");
    expect(throws.subject).toContain("Finance nightly reload");
    expect(throws.subject).toContain("failed");
    expect(throws.text).toContain("Task: Finance nightly reload");
    expect(throws.text).toContain("App: Finance");
    expect(throws.text).toContain("sense2.corp.example");
    expect(throws.text).toContain("Error: Field 'CustomerKey' not found");
    expect(throws.text).toContain("template email/task.failed.subject failed (line 1: subject broke on purpose)");
    expect(throws.html).toContain("Field &#39;CustomerKey&#39; not found");
    const missing = mailTo("missing@corp.example");
    expect(missing.text).toContain("Task: Finance nightly reload");
    expect(missing.text).toContain("Error: Field 'CustomerKey' not found");
    expect(missing.text).toMatch(/template email\/task\.failed\.html failed \(line 1: .*it\.appOwner/);
    const undef = mailTo("undefined@corp.example");
    expect(undef.subject).not.toContain("undefined");
    expect(undef.subject).toContain("Finance nightly reload");
    expect(undef.text).toContain("Task: Finance nightly reload");
    expect(undef.text).toContain("Error: Field 'CustomerKey' not found");
    expect(undef.text).toContain("template email/task.failed.subject failed (line 1: it.noSuchVar is undefined, nothing to print)");

    const slack = JSON.parse(rx.requests.find((r) => r.path === "/slack")!.body) as { text: string; blocks?: unknown[] };
    expect(slack.blocks).toBeUndefined();
    expect(slack.text).toContain("Finance nightly reload");
    expect(slack.text).toContain("Error: Field 'CustomerKey' not found");
    expect(slack.text).toContain("template slack/task.failed.json failed (60 blocks; Slack takes at most 50)");

    const teamsRequest = rx.requests.find((r) => r.path === "/teams")!;
    expect(Buffer.byteLength(teamsRequest.body)).toBeLessThan(28_000);
    const card = JSON.stringify(JSON.parse(teamsRequest.body).attachments[0].content);
    expect(card).toContain("Finance nightly reload");
    expect(card).toContain("Field 'CustomerKey' not found");
    expect(card).toMatch(/template teams\/task\.failed\.json failed \(the message is \d+ bytes; Teams takes at most 28000\)/);

    const hook = JSON.parse(rx.requests.find((r) => r.path === "/hook")!.body) as Record<string, unknown>;
    expect(hook.taskName).toBe("Finance nightly reload");
    expect(hook.kind).toBe("task.failed");
    expect(hook.templateFailed).toContain("webhook/task.failed.json");
    expect(String(hook.text)).toContain("Error: Field 'CustomerKey' not found");
    const inside = JSON.parse(rx.requests.find((r) => r.path === "/hook-json")!.body) as Record<string, unknown>;
    expect(inside.taskName).toBe("Finance nightly reload");
    expect(inside.templateFailed).toContain(
      "template webhook/task.failed.json failed (line 1: owner.mail is undefined in the object given to json(…), which would leave it out)",
    );
    expect(inside.owner).toBeUndefined();

    const list = await waitFor(
      async () => {
        const l = ((await (await t.request("/v4/deliveries?limit=100")).json()) as { deliveries: Delivery[] }).deliveries;
        return l.length === 7 && l.every((d) => d.status === "delivered") ? l : undefined;
      },
      { what: "seven deliveries delivered" },
    );
    for (const d of list) {
      expect(d.attempts).toBe(1);
      expect(d.reason).toContain("sent in the plain form: template");
    }
    const dead = ((await (await t.request("/v4/deliveries?status=dead")).json()) as { deliveries: Delivery[] }).deliveries;
    expect(dead).toEqual([]);

    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="slack-big",template="slack/task.failed.json"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="teams-big",template="teams/task.failed.json"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="mail-throws",template="email/task.failed.subject"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="mail-missing",template="email/task.failed.html"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="hook",template="webhook/task.failed.json"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="hook-json",template="webhook/task.failed.json"} 1');
    expect(metrics).toContain('steward_notify_template_fallbacks_total{channel="mail-undefined",template="email/task.failed.subject"} 1');

    // The doctor lists the templates that failed, from the deliveries in the store.
    const doctor = (await (await t.request("/v4/doctor")).json()) as { checks: Array<{ check: string; ok: boolean; detail: string; fix?: string }> };
    const line = doctor.checks.find((c) => c.check === "alert templates")!;
    expect(line.ok).toBe(false);
    expect(line.detail).toContain("7 alerts sent in the plain form in the last 24 hours");
    expect(line.detail).toContain("slack-big: template slack/task.failed.json failed (60 blocks; Slack takes at most 50), 1 alert, last ");
    expect(line.detail).toContain("mail-throws: template email/task.failed.subject failed (line 1: subject broke on purpose), 1 alert");
    expect(line.detail).toContain("mail-undefined: template email/task.failed.subject failed (line 1: it.noSuchVar is undefined, nothing to print), 1 alert");
    expect(line.fix).toContain("steward config check");

    // `steward doctor` on its own reads the same from the store the config names (here the running one's SQLite file).
    const file = join(dir.path, "steward.yaml");
    writeFileSync(file, `udp: { enabled: false }\n${yaml}`);
    const out: string[] = [];
    await doctorCommand(["--config", file, "--json"], (s) => void out.push(s));
    const cli = (JSON.parse(out.join("")) as { checks: Array<{ check: string; ok: boolean; detail: string }> }).checks.find(
      (c) => c.check === "alert templates",
    )!;
    expect(cli.ok).toBe(false);
    expect(cli.detail).toContain("hook: template webhook/task.failed.json failed (not valid JSON: ");
  });
});
