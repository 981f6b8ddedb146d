// Issue 103: a forged failure of a real task, sent while QRS is unreachable and before the real failure of that task,
// shared the task's alert (PagerDuty dedup_key steward-task-<id>) with the real one; once QRS answered, the forged
// page was judged first and its "did not happen" resolved the real failure's alert. Now each unconfirmed run is an
// alert of its own run: the forged one ends alone, the real one is handed over to its task's alert, which stays open.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
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
const NODE = { address: "127.0.0.1", port: 40_000 };

test("a forged failure of a real task judged first ends only its own page, never the real failure's alert", { timeout: 180_000 }, async () => {
  dir = createTempDir("unconfirmed-forged-first-");
  pd = startPagerDutyReceiver();
  h = await startHarness({
    dir: dir.path,
    intake: {
      concurrency: 2,
      enrichment: { lookupTimeoutMs: 300 },
      reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
      // QRS's final word is not waited for here (unconfirmed-final-word.test.ts waits for it): a run it has no
      // execution of did not happen as soon as it answers.
      confirm: { finalWordWithinMinutes: 0 },
    },
    extraYaml: `
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { name: failures, on: [task.failed, task.recovered], to: [pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  await h.startPassEnded();
  const { intake } = h.t.app;
  h.sim.settings.udp.targets = [];
  const real = await h.runWhenIdle(IDS.reload, "fail");
  const realDatagram = await waitFor(() => h!.sim.udp.recent().find((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed"), {
    what: "the real failure's datagram",
  });
  const slow = h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  const counted = (action: string) => intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  // The forged failure of the same task first, the real one right behind it.
  intake.handleDatagram(forgedFailureDatagram(1, 4242, 600, IDS.reload), NODE);
  await waitFor(() => counted("emitted") >= 1 || undefined, { timeoutMs: 60_000, what: "the forged failure paged unconfirmed" });
  intake.handleDatagram(Buffer.from(realDatagram.text), NODE);
  await waitFor(() => counted("emitted") >= 2 || undefined, { timeoutMs: 60_000, what: "the real failure paged unconfirmed" });

  const triggers = (key: string) => pd!.accepted.filter((r) => r.body.event_action === "trigger" && r.body.dedup_key === key);
  const resolves = (key: string) => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === key);
  const taskKey = `steward-task-${IDS.reload}`;
  const realOwnKey = `steward-unconfirmed-${real}`;
  await waitFor(() => triggers(realOwnKey).length >= 1 || undefined, { what: "the real failure's own page" });
  const forgedKey = pd.accepted.map((r) => r.body.dedup_key!).find((k) => k.startsWith("steward-unconfirmed-") && k !== realOwnKey);
  expect(forgedKey).toBeDefined();

  // QRS answers: the forged run's page (kept first) is judged first.
  h.sim.faults.remove(slow.id);
  expect(await intake.unconfirmedPages!.sweep()).toBe(1);
  await waitFor(() => (resolves(forgedKey!).length >= 1 && triggers(taskKey).length >= 1 && resolves(realOwnKey).length >= 1) || undefined, {
    timeoutMs: 30_000,
    what: "the forged page ended, the real one handed over",
  });
  expect(await intake.unconfirmedPages!.sweep()).toBe(0);
  await Bun.sleep(1_000);
  expect(resolves(taskKey)).toEqual([]);
  expect(pd.alerts.find((a) => a.key === taskKey)?.status).toBe("triggered");
  expect(pd.alerts.find((a) => a.key === forgedKey)?.status).toBe("resolved");
  expect(pd.alerts.find((a) => a.key === realOwnKey)?.status).toBe("resolved");
  expect(pd.rejected).toEqual([]);
});
