// Issue 86's summary page of a flood of unconfirmed runs is an incident that ends. Before, it was a page of the one
// forged task whose run carried it (PagerDuty dedup_key steward-task-<forged id>): nothing would ever resolve it, and
// the alert stayed open until someone closed it by hand. Now it opens the address's cause ("unconfirmed failed task
// runs from 127.0.0.1"), listed with the open incidents, and once the address has sent no unconfirmed run for the
// window (perSourceWindowMinutes), or once QRS confirmed one of its runs, Steward resolves that cause by itself:
// PagerDuty gets one resolve with the summary's dedup_key, Opsgenie one close of its alias, and the webhook that got
// the summary its recovery, once.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { IDS, startHarness, type Harness } from "./harness";
import { alertmanagerAlerts, startAlertmanager } from "../../../helpers/alertmanager";
import type { TestService } from "../../../helpers/services";

let h: Harness | undefined;
let rx: HttpReceiver | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
let og: OnCallReceiver<OpsgenieRequest> | undefined;
let am: TestService | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await h?.close();
  await rx?.stop();
  await pd?.stop();
  await og?.stop();
  await am?.stop();
  dir?.remove();
  h = rx = pd = og = am = dir = undefined;
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const NODE = { address: "127.0.0.1", port: 40_000 };
const WINDOW_MIN = 10;

/**
 * Steward aimed at the receivers (and at Alertmanager, started before, when given: it keeps the wall clock's time, so
 * only with Steward's time not moved), its time `ahead()` of the wall clock; 20 forged failures from NODE while QRS is slow.
 */
async function flooded(ahead: () => number, alertmanager?: TestService) {
  dir = createTempDir("unconfirmed-flood-end-");
  rx = startHttpReceiver(200);
  pd = startPagerDutyReceiver();
  og = startOpsgenieReceiver("og-api-key");
  h = await startHarness({
    dir: dir.path,
    // Steward's time can be moved ahead (the simulator keeps real time): the window passes without waiting for it.
    clock: offsetClock(systemClock, ahead),
    intake: {
      concurrency: 16,
      enrichment: { lookupTimeoutMs: 300 },
      reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
      confirm: { unconfirmedBudget: { perSourceWindowMinutes: WINDOW_MIN } },
    },
    extraYaml: `
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
${alertmanager ? `  am: { type: alertmanager, urls: ["${alertmanager.url}"] }` : ""}
routes:
  - { name: failures, on: [task.failed, task.recovered], to: [hook, pd, og${alertmanager ? ", am" : ""}] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  const { intake } = h.t.app;
  const slow = h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  for (let i = 0; i < 20; i++) intake.handleDatagram(forgedFailureDatagram(i, 186, 600), NODE);
  const counted = (action: string) => intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  await waitFor(() => counted("emitted") + counted("over_budget") >= 20 || undefined, { timeoutMs: 120_000, what: "the 20 forged runs judged" });
  // Three forged failures one by one, then the summary: four triggers, the summary's keyed by its cause.
  const triggers = () => pd!.accepted.filter((r) => r.body.event_action === "trigger");
  await waitFor(() => triggers().length >= 4 || undefined, { timeoutMs: 30_000, what: "four PagerDuty triggers" });
  const summary = await waitFor(
    () => triggers().find((r) => r.body.event_action === "trigger" && r.body.payload.summary.includes("unconfirmed failed task runs from 127.0.0.1")),
    { what: "the summary's trigger" },
  );
  const key = summary.body.dedup_key!;
  expect(key).toMatch(/^steward-cause-\d+$/);
  await waitFor(() => og!.alerts.some((a) => a.key === key) || undefined, { what: "the summary's Opsgenie alert" });
  await waitFor(() => hooks().length >= 4 || undefined, { what: "four webhook deliveries" });
  return { key, causeId: Number(key.split("-").at(-1)), slow };
}

const hooks = () => rx!.requests.filter((r) => r.path === "/hook");

/** The summary's alert ended once on each product and its recovery went to the webhook once, saying why. */
async function endedOnce(key: string, why: string): Promise<void> {
  const resolves = () => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === key);
  const closes = () => og!.accepted.filter((r) => r.body.op === "close" && r.body.key === key);
  const recoveries = () => hooks().filter((r) => r.body.includes("cause.resolved"));
  await waitFor(() => (resolves().length >= 1 && closes().length >= 1 && recoveries().length >= 1) || undefined, {
    timeoutMs: 30_000,
    what: "the summary's resolve on PagerDuty, close on Opsgenie and recovery on the webhook",
  });
  expect(await h!.t.app.incidents!.unconfirmedFloods!.sweep()).toBe(0);
  await Bun.sleep(1_500);
  expect(resolves()).toHaveLength(1);
  expect(closes()).toHaveLength(1);
  expect(pd!.alerts.filter((a) => a.key === key)).toEqual([expect.objectContaining({ status: "resolved" })]);
  expect(og!.alerts.filter((a) => a.key === key)).toEqual([expect.objectContaining({ status: "resolved" })]);
  expect(pd!.rejected).toEqual([]);
  expect(og!.rejected).toEqual([]);
  expect(recoveries()).toHaveLength(1);
  expect(recoveries()[0]!.body).toContain(why);
}

test("the summary of a flood is the address's cause: Steward resolves it by itself once the address is quiet for the window, once on each product", {
  timeout: 180_000,
}, async () => {
  let ahead = 0;
  const { key, causeId } = await flooded(() => ahead);
  const incidents = h!.t.app.incidents!;
  // An incident like the others: listed among what needs someone now, as a cause of its own.
  const open = await incidents.openByCause(50);
  expect(open.find((o) => o.cause?.id === causeId)?.cause).toMatchObject({ title: "unconfirmed failed task runs from 127.0.0.1", status: "open" });

  // Acknowledged from the API as any cause: the products' alert is acknowledged.
  const ack = await h!.t.request(`/v4/causes/${causeId}/acknowledge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"note":"looking at the switch"}',
  });
  expect(ack.status).toBe(200);
  await waitFor(() => pd!.alerts.find((a) => a.key === key && a.status === "acknowledged"), { what: "the summary's alert acknowledged in PagerDuty" });
  await waitFor(() => og!.alerts.find((a) => a.key === key && a.status === "acknowledged"), { what: "the summary's alert acknowledged in Opsgenie" });

  // Still within the window of the flood's last run: nothing ends.
  ahead = (WINDOW_MIN - 1) * 60_000;
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(0);
  expect(await incidents.causeStatus(causeId)).toBe("open");

  // Quiet for the window: the cause is resolved by Steward, its alerts with it, once.
  ahead = (WINDOW_MIN + 1) * 60_000;
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(1);
  expect(await incidents.causeStatus(causeId)).toBe("closed");
  await endedOnce(key, "has sent no failed run that QRS could not confirm for 10 minutes");
});

test("a run from the flooded address that QRS confirms ends the flood's cause at once", { timeout: 180_000 }, async () => {
  am = await startAlertmanager();
  const { key, causeId, slow } = await flooded(() => 0, am);
  const incidents = h!.t.app.incidents!;
  const causeAlert = async () => (await alertmanagerAlerts(am!)).find((a) => a.labels.cause === String(causeId));
  await waitFor(async () => ((await causeAlert())?.status.state === "active" ? true : undefined), { what: "the summary's Alertmanager alert firing" });
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(0);
  // QRS answers again, and a real run of the node comes from its address: QRS confirms it.
  h!.sim.faults.remove(slow.id);
  h!.sim.settings.udp.targets = [];
  const real = await h!.runWhenIdle(IDS.reload, "succeed");
  const datagram = await waitFor(() => h!.sim.udp.recent().find((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "succeeded"), {
    what: "the real run's datagram",
  });
  h!.t.app.intake.handleDatagram(Buffer.from(datagram.text), NODE);
  const event = await h!.eventFor(real, 30_000);
  expect(event.unconfirmed).toBeUndefined();
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(1);
  expect(await incidents.causeStatus(causeId)).toBe("closed");
  await endedOnce(key, "QRS confirmed a run from 127.0.0.1");
  // Alertmanager's alert was posted with endsAt: it is gone from the active ones.
  await waitFor(async () => ((await causeAlert()) ? undefined : true), { what: "the summary's Alertmanager alert ended" });
});
