// An alertmanager channel listing an HA pair of which one member is down, against a real Prometheus Alertmanager:
// the alert reaches the member that is up and the delivery counts as sent; with no member up it is retried.
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
  - { on: [task.failed], to: [pair, none-up] }
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
  const e = syntheticTaskEvent({ outcome: "failed", taskName: "Budget load" });
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
