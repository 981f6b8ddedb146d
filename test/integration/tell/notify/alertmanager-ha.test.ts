// An alertmanager channel listing an HA pair of which one member is down, against a real Prometheus Alertmanager:
// the alert reaches the member that is up and the delivery counts as sent; with no member up it is retried. A test
// send is posted once and not remembered for re-sending: nothing would ever end it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPorts } from "../../../helpers/free-port";
import type { TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

let am: TestService;
let t: TestApp;
let down: string;

beforeAll(async () => {
  am = await startAlertmanager();
  // A port nothing listens on: the member that is down.
  down = `http://127.0.0.1:${(await freeTcpPorts(1))[0]}`;
  t = createTestApp(`
channels:
  pair: { type: alertmanager, urls: ["${down}", "${am.url}"] }
  none-up: { type: alertmanager, urls: ["${down}"] }
routes:
  - { on: [task.failed], to: [pair, none-up], renotify: every }   # the sample event is its incident's 3rd failure
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
  await t.app.start();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await am?.stop();
});

test("one member down: the other gets the alert and the delivery is sent; none up: it is retried", async () => {
  // As heard from the Scheduler: a test event (source "test") would be posted once and not kept.
  const e = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Budget load" }), source: "udp" as const };
  await t.app.bus.emit("task.failed", e);
  await waitFor(async () => (await alertmanagerAlerts(am)).some((a) => a.labels.task === "Budget load"), { what: "the alert on the member that is up" });
  const byChannel = async () => new Map((await t.app.notify.list({ eventId: e.id, limit: 10 })).map((d) => [d.channel, d]));
  await waitFor(async () => (await byChannel()).get("pair")?.status === "delivered", { what: "the pair's delivery sent" });
  const none = await waitFor(
    async () => {
      const d = (await byChannel()).get("none-up");
      return d && d.attempts >= 2 ? d : undefined;
    },
    { what: "the delivery to no member up tried again" },
  );
  expect(none.status).not.toBe("delivered");
  expect(none.lastError).toContain("127.0.0.1");
});

test("a test send reaches Alertmanager and is not kept for re-sending", async () => {
  const res = await t.request("/v4/alerts/test?channel=pair", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ taskName: "Steward test of the pair" }),
  });
  expect(res.status).toBe(202);
  const { eventId } = (await res.json()) as { eventId: string };
  await waitFor(async () => (await alertmanagerAlerts(am)).some((a) => a.labels.task === "Steward test of the pair"), { what: "the test alert" });
  await waitFor(async () => (await t.app.notify.list({ eventId, limit: 10 })).some((d) => d.status === "delivered"), { what: "the test delivery sent" });
  const kept = await t.app.sharedStore.sql.all<{ value: string }>("SELECT value FROM channel_state WHERE channel = 'pair'");
  expect(kept.map((r) => (JSON.parse(r.value) as { alert: { labels: Record<string, string> } }).alert.labels.task)).toEqual(["Budget load"]);
});
