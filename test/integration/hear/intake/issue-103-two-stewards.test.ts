// Issue 103's intake holes across two Stewards on one PostgreSQL (each with its own UDP port: a datagram reaches only
// the Steward it was sent to, and a spoofer aims at both). A forged failure sent to node-a while QRS is unreachable,
// before the real failure of that task reaches node-b: once QRS answers, whichever Steward judges the kept pages ends
// only the forged one; the real failure is handed over to its task's alert, which stays open. A forged success naming
// a run still going, sent to node-b, confirms nothing: the task's incident (opened through node-a) stays open and
// PagerDuty resolves nothing.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, intakeYaml, startHarness, type Harness } from "./harness";

let pg: PostgresService;
let h: Harness | undefined;
let other: TestApp | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
const dirs: TempDir[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterEach(async () => {
  await other?.close();
  await h?.close();
  await pd?.stop();
  for (const d of dirs.splice(0)) d.remove();
  h = other = pd = undefined;
});
afterAll(async () => {
  await pg?.stop();
});

const NODE = { address: "127.0.0.1", port: 40_000 };
const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

/** node-a (the harness, whose simulator's Scheduler sends to it) and node-b on one new database. */
async function twoStewards(database: string, intake: Record<string, unknown>): Promise<{ a: Harness; b: TestApp }> {
  const url = await pg.createDatabase(database);
  pd = startPagerDutyReceiver();
  const yaml = (name: string) => `
store:
  postgres: { url: ${url}, instanceName: ${name}, leaseTtlMs: 3000, heartbeatIntervalMs: 300 }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd!.url}/v2/enqueue" }
routes:
  - { name: runs, on: [task.failed, task.succeeded, task.recovered], to: [pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`;
  const da = createTempDir("issue-103-a-");
  const db = createTempDir("issue-103-b-");
  dirs.push(da, db);
  h = await startHarness({ dir: da.path, intake, extraYaml: yaml("node-a") });
  await h.startPassEnded();
  other = createTestApp(intakeYaml(h.sim, intake, yaml("node-b")), { dir: db.path });
  await other.app.start();
  return { a: h, b: other };
}

const of = (action: string, key: string) => pd!.accepted.filter((r) => r.body.event_action === action && r.body.dedup_key === key);

test("a forged failure on node-a before the real one on node-b, QRS unreachable: only the forged page ends", { timeout: 180_000 }, async () => {
  const { a, b } = await twoStewards("issue103_forged_first", {
    concurrency: 2,
    enrichment: { lookupTimeoutMs: 300 },
    reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
    confirm: { finalWordWithinMinutes: 0 },
  });
  a.sim.settings.udp.targets = [];
  const real = await a.runWhenIdle(IDS.reload, "fail");
  const realDatagram = await waitFor(() => a.sim.udp.recent().find((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed"), {
    what: "the real failure's datagram",
  });
  const slow = a.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  const emitted = (t: TestApp) => t.app.intake.counters.unconfirmed.get({ qrs: "unavailable", action: "emitted" });
  a.t.app.intake.handleDatagram(forgedFailureDatagram(1, 4243, 600, IDS.reload), NODE);
  await waitFor(() => emitted(a.t) >= 1 || undefined, { timeoutMs: 60_000, what: "node-a paging the forged failure unconfirmed" });
  b.app.intake.handleDatagram(Buffer.from(realDatagram.text), NODE);
  await waitFor(() => emitted(b) >= 1 || undefined, { timeoutMs: 60_000, what: "node-b paging the real failure unconfirmed" });

  const taskKey = `steward-task-${IDS.reload}`;
  const ownKey = `steward-unconfirmed-${real}`;
  await waitFor(() => of("trigger", ownKey).length >= 1 || undefined, { what: "the real failure's own page" });
  const forgedKey = await waitFor(() => pd!.accepted.map((r) => r.body.dedup_key!).find((k) => k.startsWith("steward-unconfirmed-") && k !== ownKey), {
    what: "the forged failure's own page",
  });

  // QRS answers; node-b's look judges both kept pages (the forged one, kept by node-a, first), then node-a finds none.
  a.sim.faults.remove(slow.id);
  await waitFor(
    async () => {
      await b.app.intake.unconfirmedPages!.sweep();
      return (of("resolve", forgedKey).length >= 1 && of("trigger", taskKey).length >= 1 && of("resolve", ownKey).length >= 1) || undefined;
    },
    { timeoutMs: 30_000, what: "the forged page ended, the real one handed over" },
  );
  expect(await a.t.app.intake.unconfirmedPages!.sweep()).toBe(0);
  await Bun.sleep(1_000);
  expect(of("resolve", taskKey)).toEqual([]);
  expect(pd!.alerts.find((x) => x.key === taskKey)?.status).toBe("triggered");
  expect(of("resolve", forgedKey)).toHaveLength(1);
  expect(pd!.rejected).toEqual([]);
});

test("a forged success on node-b naming a run still going confirms nothing: node-a's incident stays open", { timeout: 180_000 }, async () => {
  const { a, b } = await twoStewards("issue103_non_final", {
    enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 },
    reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
  });
  // A real, confirmed failure through node-a opens the task's incident and its PagerDuty alert.
  const failed = await a.eventFor(await a.runWhenIdle(IDS.reload, "fail"), 30_000);
  expect(failed.unconfirmed).toBeUndefined();
  const id = failed.incident!.id;
  const key = `steward-incident-${id}`;
  await waitFor(() => of("trigger", key).length >= 1 || undefined, { what: "the incident's page" });

  a.sim.settings.udp.targets = [];
  const exec = await a.runWhenIdle(IDS.reload, "succeed", { durationMs: 600_000 });
  try {
    b.app.intake.handleDatagram(
      Buffer.from(
        `/scheduler-task-success/;sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};` +
          `2026-11-28 06:00:41,512;INFO;${exec};Execution State Change to FinishedSuccess`,
      ),
      NODE,
    );
    // Judged by node-b: taken as unconfirmed, or (the hole) as confirmed, closing the incident.
    const closed = async () => ((await (await b.request(`/v4/incidents/${id}`)).json()) as { status: string }).status === "closed";
    await waitFor(async () => b.app.intake.counters.unconfirmed.get({ qrs: "unavailable", action: "emitted" }) >= 1 || (await closed()) || undefined, {
      timeoutMs: 30_000,
      what: "node-b judging the forged success",
    });
    await Bun.sleep(1_000);
    for (const t of [a.t, b]) {
      const incident = (await (await t.request(`/v4/incidents/${id}`)).json()) as { status: string };
      expect(incident.status).toBe("open");
    }
    expect(of("resolve", key)).toEqual([]);
    expect(pd!.alerts.find((x) => x.key === key)?.status).toBe("triggered");
  } finally {
    a.sim.tasks.abort(IDS.reload);
  }
});
