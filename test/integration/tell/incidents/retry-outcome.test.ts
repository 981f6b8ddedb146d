// Page the outcome, not the attempt (issue 76), on the simulated site: a reload task with two Scheduler retries. A
// run whose first attempt fails and whose retry succeeds pages nothing and is counted as recovered by retry; a run
// whose three attempts all fail pages once, "Failed 3 times, gave up", naming each attempt's failing line; a failure
// heard while the Scheduler still retries (a datagram while QRS shows Retry) is not announced: the outcome is.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, SITE_YAML, sendDatagram, type Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "../notify/receivers";

const SITE = SITE_YAML.replace("type: reload, app: Sales dashboard,", "type: reload, app: Sales dashboard, maxRetries: 2,");

describe("a reload task with Scheduler retries", () => {
  let h: Harness;
  let m: MailedHarness | undefined;
  let smtp: SmtpReceiver;
  const outboxEmpty = async () =>
    ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0;

  beforeAll(async () => {
    expect(SITE).not.toBe(SITE_YAML);
    m = await startMailedHarness("steward-retry-outcome-", {
      site: SITE,
      extraYaml: (mail) => `
channels:
${mail}
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [mail], taskIds: [${IDS.reload}] }
`,
    });
    ({ h, smtp } = m);
  }, 60_000);
  afterAll(async () => {
    await m?.close();
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
    // The morning report's facts count it, beside the runs.
    const report = (await (await h.t.request("/v4/report")).json()) as { sections: Array<{ title: string; lines: Array<{ text: string }> }> };
    const runs = report.sections.find((x) => x.title === "Runs")!.lines.map((l) => l.text);
    expect(runs).toContainEqual(expect.stringMatching(/^1 run recovered by the Scheduler's retry, not paged: Reload Sales dashboard \(attempt 2, /));
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

  test("a failure heard while the Scheduler retries is not announced; the run's final failure pages once", { timeout: 60_000 }, async () => {
    const sample = h.sim.udp
      .recent()
      .filter((d) => d.prefix === "/scheduler-task-failed/")
      .at(-1)!;
    const sampleExec = [...h.sim.repo.executions.values()].filter((r) => r.taskId === IDS.reload && r.status === 8).at(-1)!.executionID;
    expect(sample.text.toLowerCase()).toContain(sampleExec.toLowerCase());
    // The incident of the run before recovers first: this run's failure is then a new incident's first.
    await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"), 15_000);
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    const mailsBefore = smtp.mails.length;
    const id = await h.runWhenIdle(IDS.reload, "fail", { durationMs: 1_500 });
    // The first attempt failed: QRS shows it in Retry while the second runs. A datagram for the run comes now (a
    // site whose appender also reports attempts).
    await waitFor(() => [...h.sim.repo.executions.values()].some((r) => r.executionID === id && r.status === 10), {
      what: "the run in Retry",
      timeoutMs: 10_000,
    });
    const enriched = async () =>
      (await h.metric("steward_intake_events_enriched_total", { complete: "true" })) +
      (await h.metric("steward_intake_events_enriched_total", { complete: "false" }));
    const before = await enriched();
    await sendDatagram(sample.text.replace(new RegExp(sampleExec, "gi"), id), h.udpPort());
    await waitFor(async () => (await enriched()) > before, { what: "the datagram of the attempt to be read", timeoutMs: 10_000 });
    expect(h.events.filter((e) => e.executionId === id)).toHaveLength(0);
    // Held for the run's outcome, with its deadline (held-attempt-deadline.test.ts: when the outcome never comes).
    const held = () => h.t.app.sharedStore.sql.all<{ execution_id: string }>("SELECT execution_id FROM intake_held_attempts");
    await waitFor(async () => (await held()).length > 0, { what: "the attempt held", timeoutMs: 10_000 });
    expect((await held()).map((r) => r.execution_id)).toEqual([id.toLowerCase()]);

    // The Scheduler's two more attempts run in the simulator's real time: a loaded machine (a clean-clone run beside
    // other work) took more than 20 s for them once.
    const e = await h.eventFor(id, 60_000);
    expect([e.kind, e.execution?.statusCode, e.attempts?.length]).toEqual(["task.failed", 8, 3]);
    // The outcome came: nothing is held any more, so no "outcome unknown" will follow.
    await waitFor(async () => (await held()).length === 0, { what: "the held attempt ended by the outcome", timeoutMs: 10_000 });
    // This run's mails by their delivery id: the run before's recovery may still be on its way (seen under load).
    const mine = () =>
      smtp.mails.slice(mailsBefore).filter((m) => m.mail.headers.some((x) => x.key === "x-steward-delivery" && String(x.value).startsWith(`${id}:`)));
    await waitFor(() => mine().length > 0 || undefined, { what: "the page of the outcome", timeoutMs: 15_000 });
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    expect(h.events.filter((x) => x.executionId === id)).toHaveLength(1);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.mail.text).toContain("Failed 3 times, gave up.");
  });
});
