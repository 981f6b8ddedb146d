// End to end with the Qlik Sense simulator: a reload fails in the simulated site, the Scheduler's datagram is
// enriched from QRS by the intake, and the alert mail reaches the SMTP server with the real owner, stream and
// script log; a preview by task id reads the task from QRS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, type Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "./receivers";

describe("simulator → intake → notify → SMTP", () => {
  let smtp: SmtpReceiver;
  let h: Harness;
  let m: MailedHarness | undefined;

  beforeAll(async () => {
    m = await startMailedHarness("steward-notify-e2e-", {
      extraYaml: (mail) => `
channels:
${mail}
routes:
  - { name: failures, on: [task.failed], to: [mail], taskTypes: [reload], recipients: { appOwner: { enabled: true } } }
  - { name: successes-with-log, on: [task.succeeded], to: [mail], taskTypes: [reload], attachScriptLog: true }
`,
    });
    ({ h, smtp } = m);
  }, 60_000);
  afterAll(async () => {
    await m?.close();
  });

  test("a failed reload in the site becomes one mail per recipient with the script log attached", { timeout: 30_000 }, async () => {
    const executionId = h.run(IDS.reload, "fail");
    await h.eventFor(executionId);
    await waitFor(() => smtp.mails.length >= 2, { what: "2 mails", timeoutMs: 15_000 });
    expect(smtp.mails.map((m) => m.envelopeTo[0]).sort()).toEqual(["anna.svensson@corp.example", "ops@corp.example"]);
    for (const m of smtp.mails) {
      expect(m.mail.subject).toBe("[Qlik Sense] Reload task failed: Reload Sales dashboard (Sales dashboard)");
      expect(m.mail.html).toContain("Anna Svensson");
      expect(m.mail.html).toContain(">Sales<");
      expect(m.mail.html).toContain(`https://sense1.test.example/sense/app/${IDS.app}`);
      const log = m.mail.attachments[0]!;
      const text = typeof log.content === "string" ? log.content : new TextDecoder().decode(log.content);
      expect(text).toContain("Cannot open file: 'lib://Data/orders.qvd'");
    }
  });

  test("a route with attachScriptLog: true attaches the script log to success mails too (Qalyptus-style)", { timeout: 30_000 }, async () => {
    // intake.enrichment.scriptLog.onSuccess is off: the route asking for the log is enough for it to be fetched.
    const executionId = h.run(IDS.reload, "succeed");
    const e = await h.eventFor(executionId);
    expect(e.scriptLog?.totalLines).toBeGreaterThan(2);
    await waitFor(() => smtp.mails.find((m) => m.mail.subject?.includes("task succeeded")), { what: "the success mail", timeoutMs: 15_000 });
    const m = smtp.mails.find((x) => x.mail.subject?.includes("task succeeded"))!;
    expect(m.mail.attachments.length).toBe(1);
    const log = m.mail.attachments[0]!;
    expect(log.filename).toMatch(/^Reload Sales dashboard_\d{8}-\d{6}\.log$/);
    const text = typeof log.content === "string" ? log.content : new TextDecoder().decode(log.content);
    expect(text).not.toContain("Cannot open file");
    expect(text.trimEnd().split("\r\n").length).toBe(e.scriptLog!.totalLines);
  });

  test("preview by task id reads the task, its app and owner from QRS", { timeout: 30_000 }, async () => {
    const res = await h.t.request("/v4/alerts/preview", { method: "POST", body: JSON.stringify({ kind: "task.failed", taskId: IDS.reload }) });
    expect(res.status).toBe(200);
    const p = (await res.json()) as {
      note?: string;
      event: { task: { name: string; tags: string[] }; app: { stream: string } };
      deliveries: Array<{ recipient: string; via: string; action: string }>;
    };
    expect(p.note).toBeUndefined();
    expect(p.event.task.name).toBe("Reload Sales dashboard");
    expect(p.event.task.tags).toEqual(["Nightly"]);
    expect(p.event.app.stream).toBe("Sales");
    expect(p.deliveries.map((d) => [d.recipient, d.via, d.action])).toEqual([
      ["ops@corp.example", "static", "send"],
      ["anna.svensson@corp.example", "appOwner", "send"],
    ]);
  });
});
