// Automatic remediation against the simulator: a rule retries connection errors twice, 1 s and 2 s after each
// failure. A connection error that heals on the second try pages nothing (its failure held, its recovery unpaged);
// one that never heals pages exactly once, after both retries, "remediation tried twice, gave up", naming each
// attempt's failing line; a script error is not retried and pages at once. Without the rule each first failure pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const IDS = {
  heal: "a0700000-0000-4000-8000-000000000001",
  never: "a0700000-0000-4000-8000-000000000002",
  script: "a0700000-0000-4000-8000-000000000003",
};
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = `
site: { name: Automatic remediation site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
${["Heal", "Never", "Script"].map((n) => `  - { name: ${n}, owner: INTERNAL\\sa_scheduler, script: "SET a${n}=1;" }`).join("\n")}
tasks:
  - { id: ${IDS.heal}, name: Reload heal, type: reload, app: Heal, maxRetries: 0, scriptError: "${CONNECTION}" }
  - { id: ${IDS.never}, name: Reload never, type: reload, app: Never, maxRetries: 0, outcome: fail, scriptError: "${CONNECTION}" }
  - { id: ${IDS.script}, name: Reload script, type: reload, app: Script, maxRetries: 0, scriptError: "Syntax error, missing/misplaced FROM" }
`;

const starts = (h: Harness, taskId: string) =>
  h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;

/** Two more of the remediation worker's looks for due actions (its 1 s timer's), each run to its end: a retry due would start. */
async function lookTwice(h: Harness): Promise<void> {
  await h.t.app.remediation!.lookNow();
  await h.t.app.remediation!.lookNow();
}

async function setUp(dir: TempDir, smtp: SmtpReceiver, rules: string): Promise<Harness> {
  return startHarness({
    dir: dir.path,
    site: SITE,
    extraYaml: `
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered], to: [mail] }
remediation:
  pollInterval: 1s
${rules}
`,
  });
}

describe("with a rule: retry connection errors twice", () => {
  let dir: TempDir;
  let smtp: SmtpReceiver;
  let h: Harness;
  const mailsAbout = (name: string) => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(name));
  const actions = async (id: number) =>
    ((await (await h.t.request(`/v4/incidents/${id}/actions`)).json()) as { actions: Array<{ status: string; outcome: string | null; requestedBy: string }> })
      .actions;
  const outboxEmpty = async () =>
    ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0;

  beforeAll(async () => {
    dir = createTempDir("steward-remedy-auto-");
    smtp = await startSmtpReceiver();
    h = await setUp(dir, smtp, "  rules:\n    - { name: connection-retries, errorClasses: [connection], retryAfter: [1s, 2s] }");
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await smtp?.stop();
    dir?.remove();
  });

  test("a connection error that heals on the second try pages nothing", { timeout: 60_000 }, async () => {
    const e = (await h.eventFor(await h.runWhenIdle(IDS.heal, "fail"), 15_000)) as TaskEvent;
    expect(e.errorClass).toBe("connection");
    expect(e.pageAfter).toMatchObject({ failures: 2, from: "remediation.rules[0]" });
    const id = e.incident!.id;
    await waitFor(() => h.events.find((x) => x.kind === "task.recovered" && x.task.id === IDS.heal), { what: "the retry's recovery", timeoutMs: 30_000 });
    await waitFor(async () => (await actions(id))[0]?.status === "ended", { what: "the action to end" });
    expect(await actions(id)).toEqual([expect.objectContaining({ status: "ended", outcome: "succeeded", requestedBy: "rule:connection-retries" })]);
    expect(starts(h, IDS.heal)).toBe(1);
    await waitFor(outboxEmpty, { what: "the outbox to be empty" });
    expect(mailsAbout("Reload heal")).toHaveLength(0);
    // One line in the morning report (its facts for the last 24 hours, as GET /v4/report gives them).
    const report = (await (await h.t.request("/v4/report")).json()) as { sections: Array<{ lines: Array<{ text: string }> }> };
    const lines = report.sections.flatMap((s) => s.lines.map((l) => l.text)).filter((t) => t.includes("healed by"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^1 failure healed by Steward's automatic retry, not paged: Reload heal \(retry 1, .+\)$/);
  });

  test("one that never heals pages once, after both retries, naming each attempt's failing line", { timeout: 60_000 }, async () => {
    const e = (await h.eventFor(await h.runWhenIdle(IDS.never, "fail"), 15_000)) as TaskEvent;
    const id = e.incident!.id;
    const page = await waitFor(() => mailsAbout("Reload never")[0], { what: "the page after the retries", timeoutMs: 30_000 });
    expect(starts(h, IDS.never)).toBe(2);
    const text = page.mail.text ?? "";
    expect(text).toContain("Remediation tried twice, gave up (remediation rule connection-retries).");
    expect(text).toMatch(/Retry 1 at .*: failed: Cannot connect to the data source crm-db\.corp\.example:1433: connection refused/);
    expect(text).toMatch(/Retry 2 at .*: failed: Cannot connect/);
    expect(text).toContain("Paged at the 3rd failure");
    // Never a loop: no third retry, one page.
    await waitFor(async () => (await actions(id)).every((a) => a.status === "ended"), { what: "both actions to end" });
    expect((await actions(id)).map((a) => a.outcome)).toEqual(["failed", "failed"]);
    await waitFor(outboxEmpty, { what: "the outbox to be empty" });
    await lookTwice(h); // nothing else starts
    expect(starts(h, IDS.never)).toBe(2);
    expect(mailsAbout("Reload never")).toHaveLength(1);
  });

  test("a script error is not retried: it pages at once", { timeout: 60_000 }, async () => {
    const e = (await h.eventFor(await h.runWhenIdle(IDS.script, "fail"), 15_000)) as TaskEvent;
    expect(e.errorClass).toBe("script");
    expect(e.pageAfter).toBeUndefined();
    await waitFor(() => mailsAbout("Reload script")[0], { what: "the script error's page", timeoutMs: 15_000 });
    expect(starts(h, IDS.script)).toBe(0);
  });
});

describe("without a rule", () => {
  let dir: TempDir;
  let smtp: SmtpReceiver;
  let h: Harness;
  beforeAll(async () => {
    dir = createTempDir("steward-remedy-noauto-");
    smtp = await startSmtpReceiver();
    h = await setUp(dir, smtp, "");
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await smtp?.stop();
    dir?.remove();
  });

  test("a connection error pages at its first failure and nothing is started", { timeout: 60_000 }, async () => {
    const e = (await h.eventFor(await h.runWhenIdle(IDS.heal, "fail"), 15_000)) as TaskEvent;
    expect(e.pageAfter).toBeUndefined();
    await waitFor(() => smtp.mails.find((m) => (m.mail.subject ?? "").includes("Reload heal")), { what: "the page", timeoutMs: 15_000 });
    await lookTwice(h);
    expect(starts(h, IDS.heal)).toBe(0);
  });
});
