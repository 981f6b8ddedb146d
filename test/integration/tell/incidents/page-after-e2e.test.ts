// Tolerance for a known-flaky source (issue 76), on the simulated site: a route that pages after 3 failures within an
// hour holds the 1st and 2nd, pages at the 3rd listing the two it held, and then (renotify: once) holds the 4th; the
// recovery is sent. incidents.pageAfter does the same for a task by name on a route of its own, and a failure that
// never reaches its threshold recovers without any page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, type Harness } from "../../hear/intake/harness";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";
import type { SmtpReceiver } from "../notify/receivers";

describe("page after N failures within a window", () => {
  let h: Harness;
  let m: MailedHarness | undefined;
  let smtp: SmtpReceiver;
  let hook: HttpReceiver;
  const outboxEmpty = async () =>
    ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0;
  const fail = async (taskId: string) => h.eventFor(await h.runWhenIdle(taskId, "fail"), 15_000);
  const succeed = async (taskId: string) => h.eventFor(await h.runWhenIdle(taskId, "succeed"), 15_000);

  beforeAll(async () => {
    hook = startHttpReceiver();
    m = await startMailedHarness("steward-page-after-", {
      extraYaml: (mail) => `
incidents:
  pageAfter:
    - { taskNames: ["Run ERP*"], failures: 2, within: 1h }
channels:
${mail}
  hook: { type: webhook, url: "${hook.url}/hook" }
routes:
  - { name: flaky, on: [task.failed, task.recovered], to: [mail], taskIds: [${IDS.reload}], pageAfter: { failures: 3, within: 1h } }
  - { name: erp, on: [task.failed, task.recovered], to: [hook], taskIds: [${IDS.externalProgram}] }
`,
    });
    ({ h, smtp } = m);
  }, 60_000);
  afterAll(async () => {
    await m?.close();
    await hook?.stop();
  });

  test("a route's pageAfter: the 3rd failure pages, naming the two held; the 4th is held; the recovery goes", { timeout: 90_000 }, async () => {
    const first = await fail(IDS.reload);
    const second = await fail(IDS.reload);
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    expect(smtp.mails).toHaveLength(0);
    const held = (await (await h.t.request("/v4/deliveries?status=suppressed")).json()) as { deliveries: Array<{ route: string; reason: string }> };
    expect(held.deliveries.filter((d) => d.route === "flaky").map((d) => d.reason)).toEqual(
      expect.arrayContaining([
        "held: 1st of 3 failures within 1h (routes.flaky.pageAfter); listed in the page if the task gets there",
        "held: 2nd of 3 failures within 1h (routes.flaky.pageAfter); listed in the page if the task gets there",
      ]),
    );
    await fail(IDS.reload);
    await waitFor(() => smtp.mails.length >= 1, { what: "the page at the 3rd failure", timeoutMs: 15_000 });
    const text = smtp.mails[0]!.mail.text ?? "";
    expect(text).toContain("Paged at the 3rd failure within 1h (routes.flaky.pageAfter); held before: ");
    expect(first.history?.recentFailures).toBeUndefined();
    expect(second.history?.recentFailures).toHaveLength(1);
    await fail(IDS.reload);
    await succeed(IDS.reload);
    await waitFor(() => smtp.mails.length >= 2, { what: "the recovery", timeoutMs: 15_000 });
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    expect(smtp.mails.map((m) => m.mail.subject)).toEqual([
      "[Qlik Sense] Reload task failed: Reload Sales dashboard (Sales dashboard)",
      "[Qlik Sense] Reload task recovered: Reload Sales dashboard after 4 failed runs",
    ]);
  });

  test("incidents.pageAfter by task name: one failure, then a success, pages nothing at all; two failures page once", { timeout: 90_000 }, async () => {
    await fail(IDS.externalProgram);
    await succeed(IDS.externalProgram);
    await waitFor(outboxEmpty, { what: "the outbox to be empty", timeoutMs: 15_000 });
    // The success's own decision is recorded as it is handled, which an empty outbox does not wait for.
    const heldReasons = async () => {
      const held = (await (await h.t.request("/v4/deliveries?status=suppressed")).json()) as { deliveries: Array<{ route: string; reason: string }> };
      return held.deliveries.filter((d) => d.route === "erp").map((d) => d.reason);
    };
    await waitFor(async () => (await heldReasons()).length >= 2 || undefined, { what: "the failure and the recovery held", timeoutMs: 15_000 });
    expect(hook.requests).toHaveLength(0);
    expect(await heldReasons()).toEqual(
      expect.arrayContaining([
        "held: 1st of 2 failures within 1h (incidents.pageAfter[0]); listed in the page if the task gets there",
        "recovered before reaching 2 failures within 1h (incidents.pageAfter[0]): its failures were held, nothing was paged",
      ]),
    );
    await fail(IDS.externalProgram);
    await waitFor(() => hook.requests.length >= 1, { what: "the page at the 2nd failure within the hour", timeoutMs: 15_000 });
    const body = JSON.parse(hook.requests[0]!.body) as { kind: string; taskName: string };
    expect([body.kind, body.taskName]).toEqual(["task.failed", "Run ERP extract"]);
  });
});
