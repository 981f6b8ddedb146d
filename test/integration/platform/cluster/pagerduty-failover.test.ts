// PagerDuty across a failover: two Stewards on one PostgreSQL, a run failing on the site. The Steward sending the
// incident's trigger is killed (SIGKILL) at three points: while PagerDuty has the request and has not answered; after
// PagerDuty's 202, before the alert is marked open; after that mark, before the delivery is recorded as delivered.
// The receiver (checking every request against the Events API v2 schema) keeps the alerts PagerDuty would: whatever
// the other Steward sends, the incident is one alert and one PagerDuty incident under one dedup key, acknowledged
// and resolved from the surviving Steward; after the mark, the trigger is not sent a second time at all.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ClusterMember } from "../../../helpers/cluster-stewards";
import { type FailoverSite, startFailoverSite } from "../../../helpers/on-call-failover";
import { waitFor } from "../../../helpers/wait-for";
import { startPagerDutyReceiver, type OnCallReceiver, type PagerDutyEvent } from "../../tell/notify/on-call-receivers";
import { wallLimit } from "../../../helpers/time-limit";

const ROUTING_KEY = "F0123456789abcdef0123456789abcde";

let pd: OnCallReceiver<PagerDutyEvent>;
let site: FailoverSite;

beforeAll(async () => {
  pd = startPagerDutyReceiver();
  site = await startFailoverSite("pd-failover", `  oncall: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", timeout: 10s }`);
}, wallLimit(60_000));

afterAll(async () => {
  pd?.release();
  await site?.stop();
  await pd?.stop();
});

const triggers = () => pd.accepted.filter((r) => r.body.event_action === "trigger");
const alertsOf = (key: string) => pd.alerts.filter((a) => a.key === key);

/** The newest trigger's delivery: its status, and whether A (an instance id node-a-<suffix>) claimed it. */
async function triggerRow(): Promise<{ status: string; mine: boolean } | undefined> {
  const [r] = await site.sql`SELECT status, claimed_by FROM notify_deliveries WHERE channel = 'oncall' AND kind = 'task.failed' ORDER BY id DESC LIMIT 1`;
  return r ? { status: String(r.status), mine: String(r.claimed_by).startsWith("node-a-") } : undefined;
}

/** A runs alone, hears the failure and sends the incident's trigger, whose answer PagerDuty holds; its dedup key. */
async function triggerHeld(): Promise<{ a: ClusterMember; key: string; before: number; alertsBefore: number }> {
  const before = triggers().length;
  const alertsBefore = pd.alerts.length;
  const a = await site.startSteward("a");
  pd.hold();
  await site.runTask("fail");
  const first = await waitFor(() => triggers()[before], { what: "the trigger in flight", timeoutMs: 30_000 });
  const key = first.body.dedup_key!;
  expect(key).toMatch(/^steward-incident-\d+$/);
  return { a, key, before, alertsBefore };
}

/** B, started once A is dead, acknowledges the incident and the run's success resolves it: all under `key`. */
async function acknowledgeAndResolve(b: ClusterMember, key: string): Promise<void> {
  const id = Number(key.slice("steward-incident-".length));
  const ack = await fetch(`${b.base}/v4/incidents/${id}/acknowledge`, { method: "POST", body: "{}" });
  expect(ack.status).toBe(200);
  await waitFor(() => alertsOf(key)[0]?.status === "acknowledged" || undefined, { what: "the alert acknowledged in PagerDuty" });
  await site.runTask("succeed");
  await waitFor(() => alertsOf(key)[0]?.status === "resolved" || undefined, { what: "the alert resolved in PagerDuty", timeoutMs: 30_000 });
  await Bun.sleep(1_000); // anything more would come now
  // The incident's three deliveries, each recorded as delivered once.
  const rows = await site.sql`SELECT kind, status FROM notify_deliveries WHERE channel = 'oncall'
    AND id >= (SELECT MAX(id) FROM notify_deliveries WHERE channel = 'oncall' AND kind = 'task.failed') ORDER BY id`;
  expect(rows.map((r) => [r.kind, r.status])).toEqual([
    ["task.failed", "delivered"],
    ["alert.acknowledge", "delivered"],
    ["task.recovered", "delivered"],
  ]);
  await site.stopStewards();
}

/**
 * What PagerDuty holds in the end: since the test began, one alert under `key` (the repeated triggers deduplicated into
 * it), so one PagerDuty incident, acknowledged then resolved; nothing dropped for want of an open alert.
 */
function expectOneAlert(key: string, alertsBefore: number, deduplicated: number): void {
  expect(pd.rejected).toEqual([]);
  expect(pd.droppedActions).toEqual([]);
  expect(pd.alerts.slice(alertsBefore)).toEqual([{ key, incident: alertsBefore + 1, status: "resolved", deduplicated }]);
  const actions = pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
  expect(actions.slice(-2)).toEqual(["acknowledge", "resolve"]);
}

test("killed before PagerDuty answers: the other Steward triggers again, PagerDuty dedups it into the one alert", { timeout: wallLimit(120_000) }, async () => {
  const { a, key, before, alertsBefore } = await triggerHeld();
  await site.kill(a);
  pd.release();
  // B takes over the delivery A left in sending once A's lease is gone, and sends it again: A never heard an answer.
  const b = await site.startSteward("b");
  await waitFor(() => triggers().length >= before + 2 || undefined, { what: "the trigger sent again by the surviving Steward", timeoutMs: 60_000 });
  expect(alertsOf(key)).toMatchObject([{ status: "triggered", deduplicated: 1 }]);
  await acknowledgeAndResolve(b, key);
  expectOneAlert(key, alertsBefore, 1);
});

test("killed after PagerDuty's 202 and the open mark, before the delivery is recorded: no second trigger", { timeout: wallLimit(120_000) }, async () => {
  const { a, key, before, alertsBefore } = await triggerHeld();
  // The test holds the open mark's row (an insert of its own, uncommitted): A's mark, written after the answer, waits.
  const holder = await site.sql.reserve();
  try {
    await holder`BEGIN`;
    await holder`INSERT INTO channel_state (channel, key, value, updated_at) VALUES ('oncall', ${`open:${key}`}, 'held by the test', 0)`;
    pd.release();
    await site.waitingOnLock("channel_state");
    await site.kill(a);
    await holder`ROLLBACK`;
  } finally {
    holder.release();
  }
  // A's mark went in as it died; the delivery was never recorded: still in sending, claimed by A.
  await waitFor(async () => (await site.sql`SELECT 1 FROM channel_state WHERE key = ${`open:${key}`}`).length === 1, { what: "A's open mark" });
  expect(await triggerRow()).toEqual({ status: "sending", mine: true });
  const b = await site.startSteward("b");
  await waitFor(async () => (await triggerRow())?.status === "delivered", { what: "B's takeover of the trigger's delivery", timeoutMs: 60_000 });
  await acknowledgeAndResolve(b, key);
  expect(triggers().length).toBe(before + 1);
  expectOneAlert(key, alertsBefore, 0);
});

test("killed after PagerDuty's 202, before the open mark: the trigger goes again, deduplicated into the one alert", {
  timeout: wallLimit(120_000),
}, async () => {
  const { a, key, before, alertsBefore } = await triggerHeld();
  // The test locks the channels' state: A's look for the mark, after the answer, waits; it dies before writing it.
  const holder = await site.sql.reserve();
  try {
    await holder`BEGIN`;
    await holder`LOCK TABLE channel_state IN ACCESS EXCLUSIVE MODE`;
    pd.release();
    await site.waitingOnLock("channel_state");
    await site.kill(a);
    await holder`ROLLBACK`;
  } finally {
    holder.release();
  }
  expect((await site.sql`SELECT 1 FROM channel_state WHERE key = ${`open:${key}`}`).length).toBe(0);
  // Nothing in the store says PagerDuty took it: B cannot tell this from an unanswered send, and sends it again.
  const b = await site.startSteward("b");
  await waitFor(() => triggers().length >= before + 2 || undefined, { what: "the trigger sent again by the surviving Steward", timeoutMs: 60_000 });
  expect(alertsOf(key)).toMatchObject([{ status: "triggered", deduplicated: 1 }]);
  await acknowledgeAndResolve(b, key);
  expectOneAlert(key, alertsBefore, 1);
});
