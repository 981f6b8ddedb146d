// Page the outcome, not the attempt (issue 76), on the simulated site: a reload task with two Scheduler retries. A
// run whose first attempt fails and whose retry succeeds pages nothing and is counted as recovered by retry; a run
// whose three attempts all fail pages once, "Failed 3 times, gave up", naming each attempt's failing line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, SITE_YAML, startHarness, type Harness } from "../../hear/intake/harness";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";

const SITE = SITE_YAML.replace("type: reload, app: Sales dashboard,", "type: reload, app: Sales dashboard, maxRetries: 2,");

describe("a reload task with Scheduler retries", () => {
  let dir: TempDir;
  let h: Harness;
  let smtp: SmtpReceiver;
  const outboxEmpty = async () =>
    ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0;

  beforeAll(async () => {
    expect(SITE).not.toBe(SITE_YAML);
    dir = createTempDir("steward-retry-outcome-");
    smtp = await startSmtpReceiver();
    h = await startHarness({
      dir: dir.path,
      site: SITE,
      extraYaml: `
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail], taskIds: [${IDS.reload}] }
`,
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await smtp?.stop();
    dir?.remove();
  });

  test("a failed attempt the retry gets past: no page, the run recorded as recovered by retry", { timeout: 60_000 }, async () => {
    const id = await h.runWhenIdle(IDS.reload, { failThenSucceed: 1 });
    const e: TaskEvent = await h.eventFor(id, 15_000);
    expect(e.kind).toBe("task.succeeded");
    expect(e.attempts?.map((a) => [a.attempt, a.status])).toEqual([
      [1, "Retry"],
      [2, "FinishedSuccess"],
    ]);
    expect(e.attempts?.[0]?.errorLine).toContain("Cannot open file");
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    expect(smtp.mails).toHaveLength(0);
    const body = (await (await h.t.request("/v4/incidents/recovered-by-retry")).json()) as { runs: Array<{ executionId: string; attempts: number }> };
    expect(body.runs.map((r) => [r.executionId, r.attempts])).toEqual([[id, 2]]);
    expect(((await (await h.t.request("/v4/incidents")).json()) as { incidents: unknown[] }).incidents).toHaveLength(0);
  });

  test("every attempt fails: one page, 'Failed 3 times, gave up', each attempt's failing line", { timeout: 60_000 }, async () => {
    const id = await h.runWhenIdle(IDS.reload, "fail");
    const e = await h.eventFor(id, 15_000);
    expect(e.kind).toBe("task.failed");
    await waitFor(() => smtp.mails.length >= 1, { what: "the page", timeoutMs: 15_000 });
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    expect(smtp.mails).toHaveLength(1);
    const text = smtp.mails[0]!.mail.text ?? "";
    expect(text).toContain("Failed 3 times, gave up.");
    for (const n of [1, 2, 3]) expect(text).toMatch(new RegExp(`Attempt ${n} at [^:]+:\\d\\d[^:]*: Cannot open file: 'lib://Data/orders\\.qvd'`));
    const incidents = (await (await h.t.request("/v4/incidents")).json()) as { incidents: Array<{ lastSummary: string; failures: number }> };
    expect(incidents.incidents.map((i) => [i.failures, i.lastSummary])).toEqual([[1, "failed 3 times, gave up: Cannot open file: 'lib://Data/orders.qvd'"]]);
    const recovered = (await (await h.t.request("/v4/incidents/recovered-by-retry")).json()) as { runs: unknown[] };
    expect(recovered.runs).toHaveLength(1);
  });
});
