// Issue 103: a success QRS did not confirm never opens or ends an on-call alert. Before, a forged success naming the
// ExecutionId of a real failure paged unconfirmed (its alert keyed by that run, steward-unconfirmed-<execution id>)
// was a recovery of the same alert: PagerDuty resolved the real failure's page on the attacker's word while QRS had
// not yet written the run's end. Alertmanager and SIGNL4, which keep alerts too, are told nothing of it either.
import { afterEach, expect, test } from "bun:test";
import { alertmanagerAlerts, startAlertmanager } from "../../../helpers/alertmanager";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import type { TestService } from "../../../helpers/services";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { IDS, startHarness, type Harness } from "./harness";

let h: Harness | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
let dir: TempDir | undefined;
let am: TestService | undefined;
let s4: HttpReceiver | undefined;
afterEach(async () => {
  await h?.close();
  await pd?.stop();
  await am?.stop();
  await s4?.stop();
  dir?.remove();
  h = pd = dir = am = s4 = undefined;
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const NODE = { address: "127.0.0.1", port: 40_000 };

const forgedSuccess = (exec: string) =>
  Buffer.from(
    `/scheduler-task-success/;sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};` +
      `2026-11-28 06:00:41,512;INFO;${exec};Execution State Change to FinishedSuccess`,
  );

test("a forged success naming a real failure's run, while QRS has not its end, resolves nothing in PagerDuty", { timeout: 120_000 }, async () => {
  dir = createTempDir("unconfirmed-success-");
  pd = startPagerDutyReceiver();
  h = await startHarness({
    dir: dir.path,
    intake: { enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } },
    extraYaml: `
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { name: runs, on: [task.failed, task.succeeded, task.recovered], to: [pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  // QRS writes the run's end long after its datagram (the test never waits it out: QRS stays behind throughout).
  Object.assign(h.sim.settings.timing, { qrsLagMs: 3_600_000 });
  const real = await h.runWhenIdle(IDS.reload, "fail");
  expect((await h.eventFor(real, 30_000)).unconfirmed?.qrs).toBe("unavailable");
  const of = (action: string, key: string) => pd!.accepted.filter((r) => r.body.event_action === action && r.body.dedup_key === key);
  const ownKey = `steward-unconfirmed-${real}`;
  await waitFor(() => of("trigger", ownKey).length >= 1 || undefined, { what: "the real failure's own page" });

  h.sim.settings.udp.targets = [];
  h.t.app.intake.handleDatagram(forgedSuccess(real), NODE);
  const success = await waitFor(() => h!.events.find((e) => e.executionId === real && e.outcome === "succeeded"), {
    timeoutMs: 30_000,
    what: "the forged success",
  });
  expect(success.unconfirmed).toBeDefined();
  // Its deliveries to PagerDuty are settled: none sent, each saying why.
  const settled = await waitFor(
    async () => {
      const r = await h!.t.request(`/v4/deliveries?channel=pd&limit=100`);
      const all = ((await r.json()) as { deliveries: Array<{ eventId: string; status: string; reason: string | null }> }).deliveries;
      const mine = all.filter((d) => d.eventId === success.id);
      return mine.length > 0 && mine.every((d) => !["pending", "sending", "grouping"].includes(d.status)) ? mine : undefined;
    },
    { timeoutMs: 30_000, what: "the forged success's deliveries settled" },
  );
  expect(settled.map((d) => d.status)).toEqual(settled.map(() => "suppressed"));
  expect(settled[0]!.reason).toContain("did not confirm");
  expect(of("resolve", ownKey)).toEqual([]);
  expect(pd.alerts.find((a) => a.key === ownKey)?.status).toBe("triggered");
  h.sim.tasks.flushQrsLag();
});

/** The deliveries of `eventId` to `channel`, once none is still pending. */
async function settledDeliveries(channel: string, eventId: string) {
  return waitFor(
    async () => {
      const r = await h!.t.request(`/v4/deliveries?channel=${channel}&limit=100`);
      const all = ((await r.json()) as { deliveries: Array<{ eventId: string; status: string; reason: string | null }> }).deliveries;
      const mine = all.filter((d) => d.eventId === eventId);
      return mine.length > 0 && mine.every((d) => !["pending", "sending", "grouping"].includes(d.status)) ? mine : undefined;
    },
    { timeoutMs: 30_000, what: `the forged success's deliveries to ${channel} settled` },
  );
}

test("the same forged success ends nothing in Alertmanager or SIGNL4 either", { timeout: 120_000 }, async () => {
  dir = createTempDir("unconfirmed-success-am-");
  am = await startAlertmanager();
  s4 = startHttpReceiver();
  h = await startHarness({
    dir: dir.path,
    intake: { enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } },
    extraYaml: `
channels:
  am: { type: alertmanager, urls: ["${am.url}"] }
  s4: { type: signl4, url: "${s4.url}/webhook/team-secret" }
routes:
  - { name: runs, on: [task.failed, task.succeeded, task.recovered], to: [am, s4] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  Object.assign(h.sim.settings.timing, { qrsLagMs: 3_600_000 });
  const real = await h.runWhenIdle(IDS.reload, "fail");
  expect((await h.eventFor(real, 30_000)).unconfirmed?.qrs).toBe("unavailable");
  const opened = await waitFor(async () => (await alertmanagerAlerts(am!)).find((a) => a.labels.executionId === real || JSON.stringify(a).includes(real)), {
    what: "the real failure's Alertmanager alert",
  });
  await waitFor(() => s4!.requests.some((r) => r.body.includes('"X-S4-Status":"new"')) || undefined, { what: "the real failure's SIGNL4 alert" });

  h.sim.settings.udp.targets = [];
  h.t.app.intake.handleDatagram(forgedSuccess(real), NODE);
  const success = await waitFor(() => h!.events.find((e) => e.executionId === real && e.outcome === "succeeded"), {
    timeoutMs: 30_000,
    what: "the forged success",
  });
  for (const channel of ["am", "s4"]) {
    const settled = await settledDeliveries(channel, success.id);
    expect({ channel, statuses: settled.map((d) => d.status) }).toEqual({ channel, statuses: settled.map(() => "suppressed") });
    expect(settled[0]!.reason).toContain("did not confirm");
  }
  // Alertmanager still holds the real failure's alert, not ended; SIGNL4 got no resolve.
  const still = (await alertmanagerAlerts(am)).find((a) => a.fingerprint === opened.fingerprint);
  expect(still?.status.state).toBe("active");
  expect(Date.parse(still!.endsAt)).toBeGreaterThan(Date.now());
  expect(s4.requests.filter((r) => r.body.includes('"X-S4-Status":"resolved"'))).toEqual([]);
  h.sim.tasks.flushQrsLag();
});
