// An alertmanager channel in test mode (notify.testMode) against a real Prometheus Alertmanager: the alert goes to
// the channel's testTarget, never to its urls, and is remembered with that target, so the re-sender posts it there too.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "./receivers";

let target: TestService;
let production: HttpReceiver;
let t: TestApp;

beforeAll(async () => {
  target = await startAlertmanager();
  production = startHttpReceiver();
  t = createTestApp(`
channels:
  am: { type: alertmanager, urls: ["${production.url}"], testTarget: "${target.url}", resendEvery: 1s }
routes:
  - { on: [task.failed], to: [am], renotify: every }
notify:
  testMode: { enabled: true }
`);
  await t.app.start();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await target?.stop();
  await production?.stop();
});

test("the alert goes to the test target only, and is re-sent there", async () => {
  // As heard from the Scheduler (a test event, source "test", would be posted once and not kept), through the incidents
  // service: the re-sender keeps an alert firing while its incident is open in the store, and ends one the store does not hold.
  const failed = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Test-mode load" }), source: "udp" as const };
  for (const e of await t.app.incidents!.annotate(failed)) await t.app.bus.emit(e.kind, e);
  const alert = async () => (await alertmanagerAlerts(target)).find((a) => a.labels.task === "Test-mode load");
  const first = await waitFor(alert, { what: "the alert at the test target" });
  await waitFor(async () => ((await alert())?.updatedAt ?? first.updatedAt) !== first.updatedAt, { what: "the alert re-sent to the test target" });
  const rows = await t.app.sharedStore.sql.all<{ value: string }>("SELECT value FROM channel_state WHERE channel = 'am'");
  expect(rows.map((r) => (JSON.parse(r.value) as { target?: string }).target)).toEqual([target.url]);
  expect(production.requests).toEqual([]);
});
