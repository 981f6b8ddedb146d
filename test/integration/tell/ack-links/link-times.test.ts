// What a person reads after clicking an alert's link, and on the deliveries page, says its times in the site's zone
// in the message format (issue 74): "snoozed for 1h, until 2026-11-26 10:00 CET", "used already, at …", "expired
// at …", a held delivery's "until …" on /ui/deliveries. The REST API's delivery reason keeps the ISO instant the gate
// wrote (machines read it), the page shows it on the site's clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { messageTime } from "../../../../src/platform/core/time-text";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../notify/receivers";

const ZONE = "Asia/Kolkata"; // not this machine's, and an abbreviation Intl spells as an offset: GMT+5:30
const MESSAGE_TIME = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+5:30\b/g;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const LINK = /https:\/\/steward\.corp\.example(\/act\/incident\/\d+\?[^\s"<>]+)/g;

let smtp: SmtpReceiver;
let t: TestApp;

async function failRun(name: string): Promise<TaskEvent> {
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `id-${name.replace(/\W/g, "")}` }), source: "udp" };
  const [annotated] = await t.app.incidents!.annotate(e);
  await t.app.bus.emit(annotated!.kind, annotated!);
  return annotated!;
}

const post = (form: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});

/** The page's text: what a person reads. */
const textOf = (html: string) => html.replace(/<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ");

function expectMessageTimes(text: string, count: number): void {
  expect(text).not.toMatch(ISO);
  expect((text.match(MESSAGE_TIME) ?? []).length).toBe(count);
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = createTestApp(`
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], renotify: every }
actionLinks: { publicBaseUrl: "https://steward.corp.example/" }
notify:
  timeZone: ${ZONE}
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`);
  await t.app.start();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

test("the snooze page, its result, a used and an expired link, and a held delivery say the site's time", async () => {
  const first = await failRun("Sales load");
  const incident = first.incident!.id;
  await waitFor(() => smtp.mails.length >= 1, { what: "the failure's mail" });
  const [, snooze] = [...(smtp.mails[0]!.mail.text ?? "").matchAll(LINK)].map((m) => m[1]!);
  expect(snooze).toContain("a=snooze");

  // The confirm page offers "until tomorrow, 2026-11-27 08:00 GMT+5:30" beside the durations.
  const confirm = textOf(await (await t.request(snooze!)).text());
  expect(confirm).toMatch(/Snooze until tomorrow, \d{4}-\d{2}-\d{2} 08:00 GMT\+5:30/);
  expectMessageTimes(confirm, 1);

  const before = Date.now();
  const done = textOf(await (await t.request(snooze!, post({ choice: "1h" }))).text());
  const after = Date.now();
  expect(done).toMatch(/is snoozed for 1h, until \d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+5:30 \(silence #1\)\./);
  const until = /until (\S+ \S+) GMT/.exec(done)![1]!;
  expect([messageTime(before + 3_600_000, ZONE), messageTime(after + 3_600_000, ZONE)]).toContain(`${until} GMT+5:30`);
  expectMessageTimes(done, 1);

  const used = await t.request(snooze!, post({ choice: "1h" }));
  expect(used.status).toBe(409);
  const usedText = textOf(await used.text());
  expect(usedText).toMatch(/used already, at \d{4}-\d{2}-\d{2} \d{2}:\d{2} GMT\+5:30: a link acts once/);
  expectMessageTimes(usedText, 1);

  const now = Date.now();
  const { secret } = await createLinkStore(t.app.sharedStore.sql).key(now);
  const p = { incidentId: incident, action: "ack" as const, recipient: "ops@corp.example", expiresAt: now - 60_000, nonce: newNonce() };
  const expired = await t.request(`/act/incident/${incident}?${linkQuery(p, signLink(secret, p))}`);
  expect(expired.status).toBe(410);
  const expiredText = textOf(await expired.text());
  expect(expiredText).toContain(`This link expired at ${messageTime(p.expiresAt, ZONE)}.`);
  expectMessageTimes(expiredText, 1);

  // The incident's next failure is held by the snooze's silence: the API keeps the gate's ISO instant, the page not.
  const again = await failRun("Sales load");
  const held = await waitFor(async () => {
    const d = (await (await t.request(`/v4/deliveries?eventId=${encodeURIComponent(again.id)}&limit=10`)).json()) as {
      deliveries: Array<{ id: number; status: string; reason: string }>;
    };
    return d.deliveries.find((x) => x.status === "suppressed");
  });
  expect(held.reason).toMatch(/until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  const page = await (await t.request("/ui/deliveries")).text();
  const row = /<tr data-delivery="(\d+)"[\s\S]*?<\/tr>/g;
  const heldRow = [...page.matchAll(row)].find((m) => m[1] === String(held.id))![0];
  expect(textOf(heldRow)).toContain(`until ${messageTime(Date.parse(/until (\S+Z)/.exec(held.reason)![1]!), ZONE)}`);
  expect(textOf(page)).not.toMatch(ISO);
}, 60_000);
