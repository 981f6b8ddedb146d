// Issue 86's summary page of a flood of unconfirmed runs is an incident that ends. Before, it was a page of the one
// forged task whose run carried it (PagerDuty dedup_key steward-task-<forged id>): nothing would ever resolve it, and
// the alert stayed open until someone closed it by hand. Now it opens the address's cause ("unconfirmed failed task
// runs from 127.0.0.1"), listed with the open incidents, and once the address has sent no unconfirmed run for the
// window (perSourceWindowMinutes) Steward resolves that cause by itself: PagerDuty gets one resolve with the summary's
// dedup_key, and the webhook that got the summary gets its recovery, once.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { offsetClock, systemClock } from "../../../../src/platform/core/clock";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { startHarness, type Harness } from "./harness";

let h: Harness | undefined;
let rx: HttpReceiver | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await h?.close();
  await rx?.stop();
  await pd?.stop();
  dir?.remove();
  h = rx = pd = dir = undefined;
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const NODE = { address: "127.0.0.1", port: 40_000 };
const WINDOW_MIN = 10;

test("the summary of a flood is the address's cause: Steward resolves it by itself once the address is quiet for the window, one resolve to PagerDuty", {
  timeout: 180_000,
}, async () => {
  dir = createTempDir("unconfirmed-flood-end-");
  rx = startHttpReceiver(200);
  pd = startPagerDutyReceiver();
  // Steward's time can be moved ahead (the simulator keeps real time): the window passes without waiting for it.
  let ahead = 0;
  const clock = offsetClock(systemClock, () => ahead);
  h = await startHarness({
    dir: dir.path,
    clock,
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
routes:
  - { name: failures, on: [task.failed, task.recovered], to: [hook, pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  const { intake } = h.t.app;
  const incidents = h.t.app.incidents!;
  h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  for (let i = 0; i < 20; i++) intake.handleDatagram(forgedFailureDatagram(i, 186, 600), NODE);
  const counted = (action: string) => intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  await waitFor(() => counted("emitted") + counted("over_budget") >= 20 || undefined, { timeoutMs: 120_000, what: "the 20 forged runs judged" });

  // Three forged failures one by one, then the summary: four triggers, the summary's keyed by its cause.
  const triggers = () => pd!.accepted.filter((r) => r.body.event_action === "trigger");
  await waitFor(() => triggers().length >= 4 || undefined, { timeoutMs: 30_000, what: "four PagerDuty triggers" });
  const summary = await waitFor(
    () => triggers().find((r) => r.body.event_action === "trigger" && r.body.payload.summary.includes("unconfirmed failed task runs from 127.0.0.1")),
    {
      what: "the summary's trigger",
    },
  );
  const key = summary.body.dedup_key!;
  expect(key).toMatch(/^steward-cause-\d+$/);
  const causeId = Number(key.split("-").at(-1));
  // An incident like the others: listed among what needs someone now, as a cause of its own.
  const open = await incidents.openByCause(50);
  expect(open.find((o) => o.cause?.id === causeId)?.cause).toMatchObject({ title: "unconfirmed failed task runs from 127.0.0.1", status: "open" });
  const hooks = () => rx!.requests.filter((r) => r.path === "/hook");
  await waitFor(() => hooks().length >= 4 || undefined, { what: "four webhook deliveries" });

  // Still within the window of the flood's last run: nothing ends.
  ahead = (WINDOW_MIN - 1) * 60_000;
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(0);
  expect(await incidents.causeStatus(causeId)).toBe("open");

  // Quiet for the window: the cause is resolved by Steward, its PagerDuty alert with it, once.
  ahead = (WINDOW_MIN + 1) * 60_000;
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(1);
  expect(await incidents.causeStatus(causeId)).toBe("closed");
  const resolves = () => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === key);
  await waitFor(() => resolves().length >= 1 || undefined, { timeoutMs: 30_000, what: "the summary's resolve on PagerDuty" });
  await waitFor(() => hooks().some((r) => r.body.includes("cause.resolved")) || undefined, {
    timeoutMs: 30_000,
    what: "the summary's recovery on the webhook",
  });
  expect(await incidents.unconfirmedFloods!.sweep()).toBe(0);
  await Bun.sleep(1_500);
  expect(resolves()).toHaveLength(1);
  expect(pd.alerts.filter((a) => a.key === key)).toEqual([expect.objectContaining({ status: "resolved" })]);
  expect(pd.rejected).toEqual([]);
  const recoveries = hooks().filter((r) => r.body.includes("cause.resolved"));
  expect(recoveries).toHaveLength(1);
  expect(recoveries[0]!.body).toContain("has sent no failed run that QRS could not confirm for 10 minutes");
});
