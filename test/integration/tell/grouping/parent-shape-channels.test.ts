// The parent's shape on every channel, as the receivers get it: three reloads failing with connection errors from the
// same source page once when the cause opens and once when the last recovers, and each page shows the cause (title,
// "3 tasks, 3 apps, 3 streams affected", the names, the link) on mail (SMTP), Slack, Teams, webhook, SIGNL4 (one
// alert per cause: opened, then resolved), MQTT (Mosquitto) and New Relic (every event names its cause).
import { afterAll, beforeAll, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startMosquitto, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";

function failure(i: number): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: `Load ${i}`, taskId: `task-${i}`, appName: `App ${i}`, appId: `app-${i}` });
  e.app = { ...e.app!, stream: `Stream ${i}` };
  e.errorClass = "connection";
  e.errorLine = "Error: Connection refused";
  e.scriptLog = {
    head: ["Execution started.", "LIB CONNECT TO 'DWH'", "Error: Connection refused"],
    tail: [],
    totalLines: 3,
    sizeBytes: 80,
    failureLines: [3],
  };
  return e;
}
const recovery = (i: number) =>
  syntheticTaskEvent({ kind: "task.recovered", taskName: `Load ${i}`, taskId: `task-${i}`, appName: `App ${i}`, appId: `app-${i}` });

let rx: HttpReceiver;
let smtp: SmtpReceiver;
let broker: TestService;
let sub: MqttClient;
let t: TestApp;
const mqttGot: Array<{ topic: string; payload: string }> = [];

beforeAll(async () => {
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  broker = await startMosquitto();
  sub = await mqtt.connectAsync(broker.url, { clientId: "cause-shape-sub" });
  sub.on("message", (topic, payload) => mqttGot.push({ topic, payload: payload.toString() }));
  await sub.subscribeAsync("steward/#", { qos: 1 });
  t = createTestApp(`
http: { publicUrl: "https://steward.corp.example" }
newRelic:
  accounts: [{ name: prod, accountId: 1111111, insertApiKey: key-prod }]
  eventUrl: ${rx.url}/nr
  logUrl: ${rx.url}/nr-log
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook" }
  s4: { type: signl4, url: "${rx.url}/signl4" }
  bus: { type: mqtt, url: "${broker.url}", qos: 1 }
  nr: { type: newrelic, accounts: [prod] }
routes:
  - { on: [task.failed, task.recovered], to: [mail, slack, teams, hook, s4, bus, nr] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
  await t.app.start();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await sub?.endAsync();
  await broker?.stop();
  await smtp?.stop();
  await rx?.stop();
});

const at = (path: string) => rx.requests.filter((r) => r.path === path);
const NAMES = "Load 0, Load 1, Load 2";

test("opened and recovered pages carry the cause on every channel", { timeout: 60_000 }, async () => {
  for (let i = 0; i < 3; i++) await t.app.bus.emit("task.failed", failure(i));
  for (let i = 0; i < 3; i++) await t.app.bus.emit("task.recovered", recovery(i));
  const structured = () => mqttGot.filter((m) => m.topic.includes("/task/"));
  await waitFor(
    () =>
      smtp.mails.length >= 2 &&
      ["/slack", "/teams", "/hook", "/signl4"].every((p) => at(p).length >= 2) &&
      structured().length >= 2 &&
      rx.requests.filter((r) => r.path.startsWith("/nr/")).length >= 6,
    { what: "two pages on each channel and six New Relic events", timeoutMs: 30_000 },
  );
  await Bun.sleep(500);

  // Mail: the cause in the subject, at the top of the HTML and of the text.
  expect(smtp.mails).toHaveLength(2);
  // The outbox sends a channel's pages concurrently: the recovered mail may reach the server first.
  const mails = smtp.mails.map((m) => m.mail);
  const open = mails.find((m) => m.subject?.startsWith("[Qlik Sense] [Open"));
  const closed = mails.find((m) => m.subject?.startsWith("[Qlik Sense] [Recovered"));
  expect(open!.subject).toStartWith("[Qlik Sense] [Open: cause #1, connection errors from DWH]");
  expect(open!.text).toContain("1 task, 1 app, 1 stream affected; 1 still failing");
  expect(closed!.subject).toStartWith("[Qlik Sense] [Recovered: cause #1, connection errors from DWH]");
  expect(closed!.text).toContain("3 tasks, 3 apps, 3 streams affected");
  expect(closed!.text).toContain(`Tasks: ${NAMES}`);
  expect(closed!.html).toContain('class="steward-cause"');
  expect(closed!.html).toContain("Apps: App 0, App 1, App 2");
  expect(closed!.html).toContain('href="https://steward.corp.example/ui/causes#cause-1"');

  // Slack and Teams: a block with the cause after the header.
  expect(at("/slack")).toHaveLength(2);
  const slack = JSON.parse(at("/slack")[1]!.body) as { blocks: Array<{ text?: { text: string } }> };
  expect(slack.blocks[1]!.text!.text).toContain("*Recovered: cause #1, connection errors from DWH*");
  expect(slack.blocks[1]!.text!.text).toContain(`Tasks: ${NAMES}`);
  expect(at("/teams")).toHaveLength(2);
  const card = (JSON.parse(at("/teams")[1]!.body) as { attachments: Array<{ content: { body: Array<{ text?: string }> } }> }).attachments[0]!.content;
  expect(card.body[1]!.text).toBe("Recovered: cause \\#1, connection errors from DWH");
  expect(card.body[2]!.text).toContain("3 tasks, 3 apps, 3 streams affected");

  // Webhook: flat fields and the summary.
  const hooks = at("/hook").map((r) => JSON.parse(r.body) as Record<string, unknown>);
  expect(hooks).toHaveLength(2);
  expect(hooks[0]).toMatchObject({ causeId: 1, causeStatus: "open", causeAffected: "1 task, 1 app, 1 stream affected" });
  expect(hooks[1]).toMatchObject({ causeId: 1, causeStatus: "closed", causeTasks: NAMES, cause: { counts: { tasks: 3, apps: 3, streams: 3 } } });

  // SIGNL4: one alert for the cause, opened under its first page's own id (Butler's: the task id) and resolved under
  // it by the recovered page, although that is another task's recovery.
  const s4 = at("/signl4").map((r) => JSON.parse(r.body) as Record<string, unknown>);
  expect(s4.map((b) => [b["X-S4-ExternalID"], b["X-S4-Status"]])).toEqual([
    ["task-0", "new"],
    ["task-0", "resolved"],
  ]);
  expect(s4[1]).toMatchObject({ Cause: "connection errors from DWH", Affected: "3 tasks, 3 apps, 3 streams affected", "Affected tasks": NAMES });

  // MQTT: the structured topic's event carries the cause.
  const events = structured().map((m) => JSON.parse(m.payload) as TaskEvent);
  expect(events.map((e) => [e.kind, e.cause?.status, e.cause?.counts.tasks])).toEqual([
    ["task.failed", "open", 1],
    ["task.recovered", "closed", 3],
  ]);

  // New Relic (a data sink: every event, symptoms too) names the cause on each.
  const nr = rx.requests.filter((r) => r.path.startsWith("/nr/")).flatMap((r) => JSON.parse(r.body) as Array<Record<string, unknown>>);
  expect(nr).toHaveLength(6);
  expect(nr.every((a) => a.steward_cause_id === 1 && a.steward_cause_title === "connection errors from DWH")).toBe(true);
  expect(nr.at(-1)).toMatchObject({
    steward_cause_status: "closed",
    steward_cause_affected: "3 tasks, 3 apps, 3 streams affected",
    steward_cause_tasks: NAMES,
  });
});
