// Issue 106's hand-off notice on the rota's week (test/helpers/rota-site.ts: anna hands over to bo on Monday 23 Nov
// at 09:00 in Stockholm, carl covers Wednesday by an override): the real app on a manual clock and real mails at a
// local SMTP receiver. Bo is mailed a quarter of an hour before his shift, with the failure still open; nobody else
// is; carl is mailed before the override's day; a Steward started five minutes before a handover still sends its
// notice, one started after the shift began does not.
import { afterEach, expect, test } from "bun:test";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

let smtp: SmtpReceiver | undefined;
let site: RotaSite | undefined;

afterEach(async () => {
  await site?.stop();
  await smtp?.stop();
  site = undefined;
  smtp = undefined;
});

const routes = (port: number) => `channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [mail], recipients: { onCall: primary } }
`;

const notices = (r: SmtpReceiver) => r.mails.filter((m) => (m.mail.subject ?? "").startsWith("On duty from"));

async function advanceTo(s: RotaSite, iso: string): Promise<void> {
  await s.clock.advance(Date.parse(iso) - s.clock.now());
}

test("the incoming person gets the notice before the handover with what is open, and nobody else does", async () => {
  smtp = await startSmtpReceiver();
  site = await startRotaSite(routes(smtp.port));
  await site.failAt("2026-11-23T07:10:00Z", "Sales load"); // Monday 08:10, anna's last hour
  await waitFor(() => smtp!.mails.length >= 1, { what: "the failure's mail", timeoutMs: 30_000 });

  await advanceTo(site, "2026-11-23T07:44:00Z"); // 08:44: sixteen minutes before the handover
  expect(notices(smtp)).toHaveLength(0);

  await advanceTo(site, "2026-11-23T07:46:00Z"); // 08:46: within the quarter hour
  await waitFor(() => notices(smtp!).length >= 1, { what: "bo's hand-off notice", timeoutMs: 30_000 });
  const [notice] = notices(smtp);
  expect(notice!.envelopeTo).toEqual(["bo@corp.example"]);
  expect(notice!.mail.subject).toBe("On duty from Mon 23 Nov 09:00 (primary): anna@corp.example hands over to you");
  const text = notice!.mail.text ?? "";
  // Bo's duty ends where carl's override begins: Wednesday 00:00 in Stockholm.
  expect(text).toContain("You are on duty (primary) from Mon 23 Nov 09:00 (Europe/Stockholm), until Wed 25 Nov 00:00");
  expect(text).toContain("1 open incident (1 that nobody holds)");
  expect(text).toMatch(/Incident #\d+: .*Sales load.*nobody holds it/);

  // Past the handover: the notice is not sent again.
  await advanceTo(site, "2026-11-23T08:30:00Z");
  expect(notices(smtp)).toHaveLength(1);

  // The override counts: carl is told before his Wednesday (Tuesday 23:50 in Stockholm), bo and anna are not.
  await advanceTo(site, "2026-11-24T22:50:00Z");
  await waitFor(() => notices(smtp!).length >= 2, { what: "carl's hand-off notice", timeoutMs: 30_000 });
  expect(notices(smtp).map((m) => m.envelopeTo)).toEqual([["bo@corp.example"], ["carl@corp.example"]]);
  expect(notices(smtp)[1]!.mail.subject).toBe("On duty from Wed 25 Nov 00:00 (primary): bo@corp.example hands over to you");
  // Besides the notices, only the failure's page went out: to ops and to anna, on duty when it failed.
  const others = smtp.mails.filter((m) => !notices(smtp!).includes(m));
  expect(others.flatMap((m) => m.envelopeTo).sort()).toEqual(["anna@corp.example", "ops@corp.example"]);
}, 120_000);

test("a Steward started five minutes before the handover still sends the notice", async () => {
  smtp = await startSmtpReceiver();
  site = await startRotaSite(routes(smtp.port), "", "2026-11-23T07:55:00Z");
  await waitFor(() => notices(smtp!).length >= 1, { what: "bo's hand-off notice", timeoutMs: 30_000 });
  expect(notices(smtp)[0]!.envelopeTo).toEqual(["bo@corp.example"]);
  expect(notices(smtp)[0]!.mail.text).toContain("Nothing is open");
}, 60_000);

test("a Steward started after the shift began sends no notice for it", async () => {
  smtp = await startSmtpReceiver();
  site = await startRotaSite(routes(smtp.port), "", "2026-11-23T08:05:00Z");
  await advanceTo(site, "2026-11-23T09:00:00Z");
  expect(notices(smtp)).toHaveLength(0);
}, 60_000);

test("an override made over REST counts: its person is told before it begins", async () => {
  smtp = await startSmtpReceiver();
  site = await startRotaSite(routes(smtp.port));
  const made = await site.t.request("/v4/oncall/overrides", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schedule: "primary", person: "carl@corp.example", from: "2026-11-23T11:00:00+01:00", until: "2026-11-23T12:00:00+01:00" }),
  });
  expect(made.status).toBe(201);
  await advanceTo(site, "2026-11-23T09:50:00Z"); // 10:50 in Stockholm, bo on duty since 09:00
  await waitFor(() => notices(smtp!).some((m) => m.envelopeTo.includes("carl@corp.example")), { what: "carl's hand-off notice", timeoutMs: 30_000 });
  const carl = notices(smtp).find((m) => m.envelopeTo.includes("carl@corp.example"))!;
  expect(carl.mail.subject).toBe("On duty from Mon 23 Nov 11:00 (primary): bo@corp.example hands over to you");
  expect(carl.mail.text).toContain("until Mon 23 Nov 12:00");
}, 60_000);
