// Repeats update, they do not page (issue 76): a task failing at three runs in a row, then succeeding, on the
// simulated site. The route with every default pages the 1st failure and the recovery; the route that asks for
// Butler's behaviour (renotify: every) pages all three failures and the recovery. The held-back repeats are recorded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

describe("a task failing at three runs in a row", () => {
  let dir: TempDir;
  let h: Harness;
  let quiet: HttpReceiver;
  let butler: HttpReceiver;

  beforeAll(async () => {
    dir = createTempDir("steward-repeats-");
    [quiet, butler] = [startHttpReceiver(), startHttpReceiver()];
    h = await startHarness({
      dir: dir.path,
      extraYaml: `
channels:
  quiet: { type: webhook, url: "${quiet.url}/quiet" }
  butler: { type: webhook, url: "${butler.url}/butler" }
routes:
  - { name: on-call, on: [task.failed, task.aborted, task.recovered], to: [quiet], taskIds: [${IDS.reload}] }
  - { name: like-butler, on: [task.failed, task.aborted, task.recovered], to: [butler], taskIds: [${IDS.reload}], renotify: every }
`,
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    for (const r of [quiet, butler]) await r?.stop();
    dir?.remove();
  });

  test("the default route: 1 page and 1 recovery; renotify: every: 3 pages and 1 recovery", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"), 15_000);
    await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"), 15_000);
    await waitFor(() => butler.requests.length >= 4 && quiet.requests.length >= 2, { what: "the pages on both routes", timeoutMs: 30_000 });
    await waitFor(
      async () => ((await (await h.t.request("/v4/deliveries?status=pending,sending,grouping")).json()) as { deliveries: unknown[] }).deliveries.length === 0,
      { what: "the outbox to be empty", timeoutMs: 30_000 },
    );
    const kinds = (r: HttpReceiver) => r.requests.map((q) => (JSON.parse(q.body) as { kind: string; consecutiveFailures: number }).kind);
    expect(kinds(quiet)).toEqual(["task.failed", "task.recovered"]);
    expect(kinds(butler)).toEqual(["task.failed", "task.failed", "task.failed", "task.recovered"]);

    // The 2nd and 3rd failures updated the incident and are recorded as held back on the default route, with why.
    const held = (await (await h.t.request("/v4/deliveries?status=suppressed")).json()) as { deliveries: Array<{ route: string; reason: string }> };
    const onCall = held.deliveries.filter((d) => d.route === "on-call");
    expect(onCall.map((d) => d.reason).sort()).toEqual([
      expect.stringMatching(/^renotify: incident \d+ paged at its 1st failure and is still open; this 2nd failure updates it/),
      expect.stringMatching(/^renotify: incident \d+ paged at its 1st failure and is still open; this 3rd failure updates it/),
    ]);
    const incidents = (await (await h.t.request(`/v4/incidents`)).json()) as { incidents: Array<{ failures: number; status: string }> };
    expect(incidents.incidents.map((i) => [i.status, i.failures])).toEqual([["closed", 3]]);
  });
});
