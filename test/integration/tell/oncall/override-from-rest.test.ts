// Issue 106: an override made over REST (not in the config) puts its person on duty: a failure during it pages them
// (a real mail at a local SMTP receiver, the real notifier on a manual clock), one after it pages the rotation's
// person again, GET /v4/oncall names them, and both people's calendar feeds (parsed by ical.js) show the swap.
import { afterAll, beforeAll, expect, test } from "bun:test";
import ICAL from "ical.js";
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

const post = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function onDutyMailedAbout(taskName: string): Promise<string[]> {
  const about = () => smtp.mails.filter((m) => (m.mail.subject ?? "").includes(taskName));
  await waitFor(() => about().length >= 2, { what: `the mails about ${taskName}`, timeoutMs: 30_000 });
  return about()
    .flatMap((m) => m.envelopeTo)
    .filter((a) => a !== "ops@corp.example");
}

/** The shifts of a feed that start in the week of 23 November, as [start, end] ISO pairs. */
async function shiftsThatWeek(url: string): Promise<string[][]> {
  const res = await site.t.request(new URL(url).pathname);
  expect(res.status).toBe(200);
  const cal = new ICAL.Component(ICAL.parse(await res.text()));
  return cal
    .getAllSubcomponents("vevent")
    .map((v) => new ICAL.Event(v))
    .map((e) => [e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])
    .filter(([start]) => start! >= "2026-11-23" && start! < "2026-11-30");
}

test("an override made over REST pages its person during it, shows in GET /v4/oncall and in both people's feeds", async () => {
  const feeds: Record<string, string> = {};
  for (const person of ["bo@corp.example", "carl@corp.example"]) {
    const res = await site.t.request("/v4/oncall/feeds", post({ person }));
    expect(res.status).toBe(201);
    feeds[person] = ((await res.json()) as { url: string }).url;
  }
  // Bo's week from Monday 23 Nov 09:00; the config gives carl Wednesday 25 Nov. Carl takes bo's Thursday as well.
  const wrong = await site.t.request(
    "/v4/oncall/overrides",
    post({ schedule: "primary", person: "eve@corp.example", from: "2026-11-26T00:00:00+01:00", until: "2026-11-27T00:00:00+01:00" }),
  );
  expect(wrong.status).toBe(400);
  expect(await wrong.json()).toMatchObject({ details: { field: "body.person" } });
  const made = await site.t.request(
    "/v4/oncall/overrides",
    post({ schedule: "primary", person: "carl@corp.example", from: "2026-11-26T00:00:00+01:00", until: "2026-11-27T00:00:00+01:00" }),
  );
  expect(made.status).toBe(201);
  expect(await made.json()).toMatchObject({
    schedule: "primary",
    person: "carl@corp.example",
    from: "2026-11-25T23:00:00.000Z",
    until: "2026-11-26T23:00:00.000Z",
    replaces: "bo@corp.example",
  });

  await site.failAt("2026-11-26T10:00:00Z", "Payroll load"); // Thursday 11:00: the override's day
  expect(await onDutyMailedAbout("Payroll load")).toEqual(["carl@corp.example"]);
  const duty = (await (await site.t.request("/v4/oncall")).json()) as { schedules: Array<Record<string, unknown>> };
  expect(duty.schedules[0]).toMatchObject({ person: "carl@corp.example", until: "2026-11-26T23:00:00.000Z", next: "bo@corp.example" });

  await site.failAt("2026-11-27T02:00:00Z", "Ledger load"); // Friday 03:00: the override over
  expect(await onDutyMailedAbout("Ledger load")).toEqual(["bo@corp.example"]);

  // Carl: Wednesday (the config's override) and Thursday (the REST one) as one shift; bo: the week around them.
  expect(await shiftsThatWeek(feeds["carl@corp.example"]!)).toEqual([["2026-11-24T23:00:00.000Z", "2026-11-26T23:00:00.000Z"]]);
  expect(await shiftsThatWeek(feeds["bo@corp.example"]!)).toEqual([
    ["2026-11-23T08:00:00.000Z", "2026-11-24T23:00:00.000Z"],
    ["2026-11-26T23:00:00.000Z", "2026-11-30T08:00:00.000Z"],
  ]);
  const listed = (await (await site.t.request("/v4/oncall/overrides")).json()) as { overrides: unknown[] };
  expect(listed.overrides).toEqual([]); // over by now (Friday)
}, 90_000);
