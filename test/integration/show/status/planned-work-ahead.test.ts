// Planned work told ahead (issue 106), on the freshness chain site with a stepped clock (planned-work-site.ts): Friday's
// patching of the Qlik host 05:00–06:00 holds Sales dashboard's chain (Extract orders at 05:10, promised by 07:00):
// Anna, subscribed to the promise, is mailed once, on Thursday at 16:00, "Sales dashboard may be late on Friday:
// planned work 05:00–06:00"; the notice is in the Atom feed. A window over another node and one that ends before the
// chain runs tell nobody; on-call's route gets nothing of it.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { CHAIN_SITE, SALES_APP } from "../../../helpers/freshness-chain-site";
import { freeTcpPort } from "../../../helpers/free-port";
import { plannedWorkStewardYaml, subscribeAnna } from "../../../helpers/planned-work-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const dir = createTempDir("steward-planned-work-");
let site: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
  await site?.sim.stop();
  dir.remove();
});

test("a window over the promised chain is mailed to its subscribers once, the day before at 16:00; others tell nobody", { timeout: 300_000 }, async () => {
  site = await startSteppedSite(dir.path, at("2026-11-18T00:00:00Z"), CHAIN_SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-19T13:00:00Z"));
  smtp = await startSmtpReceiver();
  const httpPort = await freeTcpPort();
  t = createTestApp(plannedWorkStewardYaml(site, { httpPort, smtpPort: smtp.port }), { clock, dir: join(dir.path, "steward") });
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const base = `http://127.0.0.1:${httpPort}`;
  const mailsTo = (address: string) => smtp!.mails.filter((m) => m.envelopeTo.includes(address));
  const planned = () => smtp!.mails.filter((m) => /may be late/.test(m.mail.subject ?? ""));

  // The first looks at QRS make the apps known; then Anna subscribes and confirms.
  await clock.runUntil(at("2026-11-19T13:03:00Z"));
  await subscribeAnna(clock, base, () => mailsTo("anna@corp.example")[0]?.mail.text, at("2026-11-19T13:08:00Z"));

  // Thursday 15:55 in Stockholm: not yet.
  await clock.runUntil(at("2026-11-19T14:55:00Z"));
  expect(planned()).toEqual([]);
  // 16:00 has passed: told, in business words, with the window's reason.
  await clock.runUntil(at("2026-11-19T15:06:00Z"));
  expect(planned().map((m) => ({ to: m.envelopeTo, subject: m.mail.subject }))).toEqual([
    { to: ["anna@corp.example"], subject: "Sales dashboard may be late on Friday" },
  ]);
  expect(planned()[0]!.mail.text).toContain("Sales dashboard may be late on Friday: planned work 05:00–06:00 Europe/Stockholm (Windows updates).");
  const feed = await (await fetch(`${base}/status/feed.atom`)).text();
  expect(feed).toContain("<title>Sales dashboard may be late on Friday</title>");
  expect(feed).toContain('<category term="planned"/>');
  // /status says it on the app's row, until the work's day is over.
  const page = await (await fetch(`${base}/status`)).text();
  expect(page).toContain("<div data-planned>Sales dashboard may be late on Friday: planned work 05:00–06:00 Europe/Stockholm (Windows updates).");

  // Through the window and the night: still that one mail, and none to on-call.
  await clock.runUntil(at("2026-11-20T04:30:00Z"));
  expect(planned()).toHaveLength(1);
  expect(await (await fetch(`${base}/status`)).text()).toContain("data-planned");
  expect(mailsTo("ops@corp.example").map((m) => m.mail.subject ?? "")).not.toContainEqual(expect.stringMatching(/may be late|planned work/));
  const notices = await t.app.sharedStore.sql.all<{ notice_key: string }>("SELECT notice_key FROM status_notices WHERE word = 'planned'");
  expect(notices.map((n) => n.notice_key)).toEqual([`planned|Patch Qlik host|${at("2026-11-20T04:00:00Z")}|sales-morning|${SALES_APP}`]);
});
