// End to end through the simulated site (SQLite): a route with renotify { digest } sends a task's first failure at
// once, folds the next ones into one digest that goes out when the incident closes (not at the end of its hour),
// then the recovery; a successful reload whose script log shows a skipped error and a table that loaded 0 rows
// (which the three runs before it filled) raises one task.warning with both, on a route of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";

describe("renotify digest and succeeded-with-warnings, through the simulator", () => {
  let dir: TempDir;
  let h: Harness;
  let oncall: HttpReceiver;
  let quality: HttpReceiver;

  beforeAll(async () => {
    dir = createTempDir("steward-digest-warnings-");
    [oncall, quality] = [startHttpReceiver(), startHttpReceiver()];
    h = await startHarness({
      dir: dir.path,
      extraYaml: `
channels:
  oncall: { type: webhook, url: "${oncall.url}/oncall" }
  quality: { type: webhook, url: "${quality.url}/quality" }
routes:
  - { name: on-call, on: [task.failed, task.recovered], to: [oncall], taskIds: [${IDS.reload}], renotify: { digest: 1h } }
  - { name: data-quality, on: [task.warning], to: [quality], taskIds: [${IDS.reload}] }
`,
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    for (const r of [oncall, quality]) await r?.stop();
    dir?.remove();
  });

  const run = async (outcome: "succeed" | "fail", opts?: Parameters<Harness["runWhenIdle"]>[2]): Promise<TaskEvent> =>
    h.eventFor(await h.runWhenIdle(IDS.reload, outcome, opts), 15_000);

  test("a warning for the suspicious success; the 1st failure, one digest of the 2nd and 3rd, then the recovery", { timeout: 90_000 }, async () => {
    for (let i = 0; i < 3; i++) await run("succeed");
    const suspicious = await run("succeed", { logWarnings: { skippedErrors: ["Field 'Region' not found"], emptyTables: ["customers"] } });
    const warning = await waitFor(
      () => h.events.find((e): e is TaskEvent => e.kind === "task.warning" && "executionId" in e && e.executionId === suspicious.executionId),
      { what: "task.warning", timeoutMs: 15_000 },
    );
    expect(warning.warnings?.map((w) => w.kind).sort()).toEqual(["emptyTable", "skippedErrors"]);
    expect(warning.warnings?.find((w) => w.kind === "emptyTable")).toMatchObject({ table: "customers" });
    await waitFor(() => quality.requests.length >= 1, { what: "the warning on its route", timeoutMs: 15_000 });
    const w = JSON.parse(quality.requests[0]!.body) as Record<string, unknown>;
    expect(w.warnings).toEqual(warning.warnings);
    // The warning goes only where task.warning is routed, and opens no incident.
    expect(oncall.requests.length).toBe(0);
    expect(((await (await h.t.request("/v4/incidents")).json()) as { incidents: unknown[] }).incidents).toEqual([]);

    for (let i = 0; i < 3; i++) await run("fail");
    await waitFor(() => oncall.requests.length >= 1, { what: "the first failure", timeoutMs: 15_000 });
    // The 2nd and 3rd failures wait in the incident's digest (an hour's window): nothing more is sent yet.
    const grouping = async () =>
      ((await (await h.t.request("/v4/deliveries?status=grouping")).json()) as { deliveries: Array<{ kind: string; eventIds: string[] }> }).deliveries;
    await waitFor(async () => (await grouping()).some((d) => d.kind === "digest" && d.eventIds.length === 2), {
      what: "one digest holding two failures",
      timeoutMs: 15_000,
    });
    expect(oncall.requests.length).toBe(1);

    await run("succeed");
    await waitFor(() => oncall.requests.length >= 3, { what: "the digest and the recovery", timeoutMs: 30_000 });
    const bodies = oncall.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies[0]).toMatchObject({ kind: "task.failed", consecutiveFailures: 1 });
    const digest = bodies.find((b) => b.kind === "digest")!;
    expect(digest.count).toBe(2);
    expect((digest.events as TaskEvent[]).map((e) => e.history?.consecutiveFailures)).toEqual([2, 3]);
    expect(bodies.find((b) => b.kind === "task.recovered")).toMatchObject({ incident: { status: "closed", failures: 3 } });
    expect(bodies.length).toBe(3);
    // The suspicious success raised one warning and no more.
    expect(quality.requests.length).toBe(1);
  });
});
