// Issue 88's "a rota test pages the person on duty and, after the handover time, the next one": the real notifier on a
// manual clock, a weekly rotation of two people handing over on Monday 09:00 in Stockholm, and real mails at a local
// SMTP receiver. A failure at 08:50 is mailed to the week's person (anna), one at 09:10 to the next (bo); on the
// Wednesday an override for that day puts carl on duty, and on the Thursday bo is again. Each failure is a task of its
// own (its own incident, its own page), and every mail is matched to its failure by subject: were the rota ignored,
// a mail would go to ops only, or to the same person all week.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

let smtp: SmtpReceiver;
let site: RotaSite;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  site = await startRotaSite(`channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`);
});

afterAll(async () => {
  await site?.stop();
  await smtp?.stop();
});

/** Who got the mails about `taskName` besides ops (the shared mailbox every page goes to). */
async function onDutyMailedAbout(taskName: string): Promise<string[]> {
  const about = () => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(taskName));
  await waitFor(() => about().length >= 2, { what: `the mails about ${taskName}`, timeoutMs: 30_000 });
  const to = about().flatMap((m) => m.envelopeTo);
  expect(to).toContain("ops@corp.example");
  return to.filter((a) => a !== "ops@corp.example");
}

test("the week's person before the handover, the next one after it, the override's person on its day", async () => {
  // Weeks from Mon 2 Nov 09:00: anna, bo, anna (from 16 Nov), bo (from 23 Nov 09:00).
  await site.failAt("2026-11-23T07:50:00Z", "Sales load"); // Monday 08:50
  expect(await onDutyMailedAbout("Sales load")).toEqual(["anna@corp.example"]);

  await site.failAt("2026-11-23T08:10:00Z", "Stock load"); // Monday 09:10, after the handover
  expect(await onDutyMailedAbout("Stock load")).toEqual(["bo@corp.example"]);

  await site.failAt("2026-11-25T02:00:00Z", "Budget load"); // Wednesday 03:00, the override's day
  expect(await onDutyMailedAbout("Budget load")).toEqual(["carl@corp.example"]);

  await site.failAt("2026-11-26T02:00:00Z", "Finance load"); // Thursday 03:00, the override over
  expect(await onDutyMailedAbout("Finance load")).toEqual(["bo@corp.example"]);

  // Each failure paged once per recipient: nothing more went out (besides the hand-off notices, handover-notice.test.ts).
  const pages = smtp.mails.filter((m) => !(m.mail.subject ?? "").startsWith("On duty from"));
  expect(pages.flatMap((m) => m.envelopeTo)).toHaveLength(8);
}, 90_000);
