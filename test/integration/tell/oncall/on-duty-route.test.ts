// Issue 88, point 3: a route mails whoever is on duty in an `oncall:` schedule. The real notifier and an SMTP
// receiver: a failure is mailed to the person an override puts on duty now. And the route's plan (POST
// /v4/alerts/preview, the notifier's own planner) on a manual clock: a minute before Monday's 09:00 handover in
// Stockholm the week's person, at 09:00 the next one; outside the business hours, the night desk.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const schedule = (extra = "") => `oncall:
  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
${extra}`;

let smtp: SmtpReceiver | undefined;
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
  await smtp?.stop();
});

test("a failure is mailed to the person on duty now (an override)", async () => {
  smtp = await startSmtpReceiver();
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = Date.now();
  const t = createTestApp(`${schedule(`    overrides:
      - { person: carl@corp.example, from: "${iso(now - 3_600_000)}", until: "${iso(now + 3_600_000)}" }`)}
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`);
  apps.push(t);
  await t.app.start();
  // As heard from the Scheduler (its incident opened: an alert of an open incident is sent).
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Sales load", taskId: "id-sales" }), source: "udp" };
  const [annotated] = await t.app.incidents!.annotate(e);
  await t.app.bus.emit(annotated!.kind, annotated!);
  await waitFor(() => smtp!.mails.length >= 2, { what: "the mails to ops and to the person on duty", timeoutMs: 30_000 });
  expect(smtp.mails.flatMap((m) => m.envelopeTo).sort()).toEqual(["carl@corp.example", "ops@corp.example"]);
}, 60_000);

test("the route's plan: the week's person until the handover, the next one from it, the night desk outside the hours", async () => {
  const clock = createManualClock(Date.parse("2026-11-23T07:59:00Z")); // Monday 08:59 in Stockholm
  const t = createTestApp(
    `${schedule(`    hours: { timeZone: Europe/Stockholm, intervals: [{ weekdays: [mon-fri], times: [{ from: "08:00", to: "17:00" }] }] }
    outsideHours: night@corp.example`)}
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`,
    { clock },
  );
  apps.push(t);
  const plan = async () => {
    const res = await t.request("/v4/alerts/preview", { method: "POST", body: JSON.stringify({ kind: "task.failed", taskName: "Sales load" }) });
    expect(res.status).toBe(200);
    const p = (await res.json()) as { deliveries: Array<{ recipient: string }> };
    return p.deliveries.map((d) => d.recipient).sort();
  };
  // Weeks from 2 Nov: anna, bo, anna, bo: the week from Mon 16 Nov is anna's, from Mon 23 Nov 09:00 bo's.
  expect(await plan()).toEqual(["anna@corp.example", "ops@corp.example"]);
  clock.set(Date.parse("2026-11-23T08:00:00Z"));
  expect(await plan()).toEqual(["bo@corp.example", "ops@corp.example"]);
  clock.set(Date.parse("2026-11-23T16:00:00Z")); // 17:00: outside the hours
  expect(await plan()).toEqual(["night@corp.example", "ops@corp.example"]);
});

test("a route naming a schedule that does not exist is refused, naming the key", () => {
  expect(() =>
    createTestApp(`channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`),
  ).toThrow(/routes\[0\]\.recipients\.onCall.*no oncall schedule named "primary" \(no oncall: schedules are defined\)/s);
});
