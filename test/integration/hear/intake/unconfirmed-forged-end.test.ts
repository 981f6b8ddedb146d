// Issue 86's single pages of runs QRS could not confirm end once QRS says the run did not happen. Before, a forged
// failure paged as "unconfirmed" while QRS was slow opened an alert of its forged task (PagerDuty dedup_key
// steward-task-<forged id>) that nothing would ever end: a task that does not exist never recovers. Now, once QRS
// answers, each such page is checked: QRS has no such task, so its alert is resolved, once, on every channel that got
// it. A real node's failure paged unconfirmed in the same flood (its task and failed execution are in QRS) is an alert
// of its own run (issue 103: steward-unconfirmed-<execution id>, never its task's, which a forged run's end would have
// resolved); once QRS confirms it, it goes out again as its task's alert, which stays open, and its own page ends.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { IDS, startHarness, type Harness } from "./harness";

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
const FORGED = 6;

test("once QRS answers, the single unconfirmed pages of forged runs are resolved once each; a real failure's stays open", { timeout: 180_000 }, async () => {
  dir = createTempDir("unconfirmed-forged-end-");
  rx = startHttpReceiver(200);
  pd = startPagerDutyReceiver();
  h = await startHarness({
    dir: dir.path,
    intake: {
      concurrency: 4,
      enrichment: { lookupTimeoutMs: 300 },
      reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
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
  // A real failure of a real task on the node: its datagram reaches Steward only while QRS is slow.
  h.sim.settings.udp.targets = [];
  const real = await h.runWhenIdle(IDS.reload, "fail");
  const realDatagram = await waitFor(() => h!.sim.udp.recent().find((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed"), {
    what: "the real failure's datagram",
  });
  const slow = h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 3_000 }, Date.now());
  intake.handleDatagram(Buffer.from(realDatagram.text), NODE);
  const counted = (action: string) => intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  await waitFor(() => counted("emitted") >= 1 || undefined, { timeoutMs: 60_000, what: "the real failure paged unconfirmed" });
  for (let i = 0; i < FORGED; i++) intake.handleDatagram(forgedFailureDatagram(i, 187, 600), NODE);
  await waitFor(() => counted("emitted") + counted("over_budget") >= FORGED + 1 || undefined, { timeoutMs: 120_000, what: "the forged runs judged" });

  const triggers = () => pd!.accepted.filter((r) => r.body.event_action === "trigger");
  const resolves = (key: string) => pd!.accepted.filter((r) => r.body.event_action === "resolve" && r.body.dedup_key === key);
  const realKey = `steward-task-${IDS.reload}`;
  const realOwnKey = `steward-unconfirmed-${real}`;
  await waitFor(() => triggers().some((r) => r.body.dedup_key === realOwnKey) || undefined, { what: "the real failure's trigger, an alert of its own run" });
  expect(triggers().filter((r) => r.body.dedup_key === realKey)).toEqual([]);
  // The budget of three single pages: the real one and two forged ones, each an alert of its own run.
  const forgedKeys = await waitFor(
    () => {
      const keys = triggers()
        .map((r) => r.body.dedup_key!)
        .filter((k) => k.startsWith("steward-unconfirmed-") && k !== realOwnKey);
      return keys.length >= 2 ? keys : undefined;
    },
    { timeoutMs: 30_000, what: "the forged runs' single triggers" },
  );
  expect(forgedKeys).toHaveLength(2);
  const pages = intake.unconfirmedPages!;
  // QRS still slow: nothing can be told, nothing ends.
  expect(await pages.sweep()).toBe(0);

  // QRS answers again: it has no task of the forged runs, and has the real one's failed execution.
  h.sim.faults.remove(slow.id);
  expect(await pages.sweep()).toBe(2);
  await waitFor(() => forgedKeys.every((k) => resolves(k).length >= 1) || undefined, { timeoutMs: 30_000, what: "each forged page resolved in PagerDuty" });
  const recoveries = () => rx!.requests.filter((r) => r.path === "/hook" && r.body.includes("task.recovered"));
  // Two forged pages ended, and the real run's own page handed over to its task's alert.
  await waitFor(() => recoveries().length >= 3 || undefined, { what: "the three follow-ups on the webhook" });
  await waitFor(() => triggers().some((r) => r.body.dedup_key === realKey) || undefined, { what: "the real failure, confirmed, as its task's alert" });

  // Once: a sweep again (as another Steward's would) ends nothing more.
  expect(await pages.sweep()).toBe(0);
  await Bun.sleep(1_500);
  for (const k of forgedKeys) {
    expect(resolves(k)).toHaveLength(1);
    expect(pd!.alerts.filter((a) => a.key === k)).toEqual([expect.objectContaining({ status: "resolved" })]);
  }
  expect(recoveries()).toHaveLength(3);
  expect(recoveries().filter((r) => r.body.includes("not confirmed by QRS: this run did not happen"))).toHaveLength(2);
  expect(recoveries().filter((r) => r.body.includes("confirmed by QRS later"))).toHaveLength(1);
  expect(intake.counters.unconfirmed.get({ qrs: "denied", action: "ended" })).toBe(2);
  // The real failure's own page ended once; its task's alert stays open: its task's next success ends it.
  expect(resolves(realOwnKey)).toHaveLength(1);
  expect(resolves(realKey)).toEqual([]);
  expect(pd!.alerts.find((a) => a.key === realKey)?.status).toBe("triggered");
  // Of the single pages, only the task's alert is open (the flood's summary is a cause, ended when the flood is over).
  expect(pd!.alerts.filter((a) => a.status === "triggered" && !a.key.startsWith("steward-cause-")).map((a) => a.key)).toEqual([realKey]);
  expect(pd!.rejected).toEqual([]);
});
