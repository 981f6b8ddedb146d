// Issue 103: a QRS that writes a run's final state later than its datagram. The failure's datagram names a run QRS
// still shows as Started, so it is paged unconfirmed as an alert of its own run; the pages' checks wait for QRS's
// final word (nothing ends while QRS shows the run going), then hand it over to its task's alert, which only the
// task's own recovery ends. Before, QRS's Started row confirmed the run at once, whatever its end would be.
import { afterEach, expect, test } from "bun:test";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

let h: Harness | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await h?.close();
  await pd?.stop();
  dir?.remove();
  h = pd = dir = undefined;
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
/** QRS shows the run's end this long after its datagram: longer than the final-status reads (2 × 50 ms). */
const QRS_LAG_MS = 3_000;

test("QRS slower than the datagrams: a real failure is paged, waits for QRS's final word, and only its task's recovery ends it", {
  timeout: 120_000,
}, async () => {
  dir = createTempDir("unconfirmed-final-word-");
  pd = startPagerDutyReceiver();
  h = await startHarness({
    dir: dir.path,
    intake: { enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } },
    extraYaml: `
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { name: failures, on: [task.failed, task.succeeded, task.recovered], to: [pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  const { intake } = h.t.app;
  const pages = intake.unconfirmedPages!;
  Object.assign(h.sim.settings.timing, { qrsLagMs: QRS_LAG_MS });
  const real = await h.runWhenIdle(IDS.reload, "fail");
  const paged = await h.eventFor(real, 30_000);
  expect(paged.unconfirmed).toEqual({ qrs: "unavailable", reason: expect.stringContaining("not final yet") });

  const of = (action: string, key: string) => pd!.accepted.filter((r) => r.body.event_action === action && r.body.dedup_key === key);
  const taskKey = `steward-task-${IDS.reload}`;
  const ownKey = `steward-unconfirmed-${real}`;
  await waitFor(() => of("trigger", ownKey).length >= 1 || undefined, { what: "the run's own page" });
  // QRS still shows the run going: nothing is judged, nothing ends.
  expect(await pages.sweep()).toBe(0);
  expect(of("resolve", ownKey)).toEqual([]);

  // QRS catches up: the run failed, as its datagram said. The page is handed over to the task's alert.
  Object.assign(h.sim.settings.timing, { qrsLagMs: 0 });
  h.sim.tasks.flushQrsLag();
  await waitFor(
    async () => {
      await pages.sweep();
      return (of("trigger", taskKey).length >= 1 && of("resolve", ownKey).length >= 1) || undefined;
    },
    { timeoutMs: 30_000, what: "the page handed over to the task's alert" },
  );
  expect(of("resolve", taskKey)).toEqual([]);
  expect(pd.alerts.find((a) => a.key === taskKey)?.status).toBe("triggered");

  // The task's own recovery ends it.
  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"), 30_000);
  await waitFor(() => of("resolve", taskKey).length >= 1 || undefined, { timeoutMs: 30_000, what: "the task's recovery resolving its alert" });
  expect(pd.alerts.filter((a) => a.status !== "resolved")).toEqual([]);
  expect(pd.accepted.filter((r) => JSON.stringify(r.body).includes("did not happen"))).toEqual([]);
  expect(pd.rejected).toEqual([]);
});
