// The morning report (issue 54) from a simulated night on a stepped clock shared by the simulator and Steward: four
// hourly reloads, one failing at 02:10 and 03:10 (then fine), one failing from 03:00 on. At 07:00 in Stockholm the
// report reaches mail, Slack, Teams and a webhook: the night's runs, the failures by cause, what is still open; the
// mail is opened in Chromium and its sections read as a person sees them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, closeAll, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { launchChromium } from "../dashboard/chromium";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const START = Date.parse("2026-11-23T23:00:00Z"); // Tuesday 00:00 in Stockholm
const MIN = 60_000;
const REPORT_AT = Date.parse("2026-11-24T06:00:00Z"); // 07:00 in Stockholm
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const hourly = `{ type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-11-01T00:10:00.000", timeZone: UTC }`;
const SITE = `site: { name: Night, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Sales }, { name: Finance }]
apps:
${[0, 1, 2, 3].map((i) => `  - { id: 00000000-0000-4000-8100-${String(i).padStart(12, "0")}, name: App ${i}, owner: CORP\\anna, stream: ${i < 2 ? "Sales" : "Finance"} }`).join("\n")}
tasks:
${[0, 1, 2, 3].map((i) => `  - { id: ${id(i)}, name: Load ${i}, type: reload, app: App ${i}, durationMs: 30000, scriptError: "Connection refused: the DWH server did not accept the connection", triggers: [${hourly}] }`).join("\n")}
`;

const dir = createTempDir("steward-morning-report-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let smtp: SmtpReceiver;

beforeAll(async () => {
  rx = startHttpReceiver();
  smtp = await startSmtpReceiver();
  s = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = s;
  t = createTestApp(
    `${qlikYaml(sim)}notify: { timeZone: Europe/Stockholm }
intake:
  reconcile: { intervalSeconds: 120, settleSeconds: 0 }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { name: morning, on: [report.morning], to: [mail, slack, teams, hook] }
`,
    { clock, dir: join(dir.path, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  // Load 1 fails at 02:10 and 03:10 (Stockholm), then runs well; Load 2 fails from 03:10 on.
  await clock.runUntil(Date.parse("2026-11-24T01:00:00Z"));
  await simControl(sim, "PATCH", `/tasks/${id(1)}`, { outcome: "fail" });
  await clock.runUntil(Date.parse("2026-11-24T02:00:00Z"));
  await simControl(sim, "PATCH", `/tasks/${id(2)}`, { outcome: "fail" });
  await clock.runUntil(Date.parse("2026-11-24T03:00:00Z"));
  await simControl(sim, "PATCH", `/tasks/${id(1)}`, { outcome: "succeed" });
  await clock.runUntil(REPORT_AT + 5 * MIN);
}, 300_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
  await smtp?.stop();
});

interface Section {
  title: string;
  lines: Array<{ text: string; tone?: string }>;
}
const posted = (path: string) => rx.requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Record<string, unknown>);

test("the webhook gets one report with the night's runs, failures by cause and what is still open", () => {
  const hooks = posted("/hook");
  expect(hooks.map((h) => h.kind)).toEqual(["report.morning"]);
  const e = hooks[0]!.stewardEvent as { title: string; summary: string; sections: Section[]; id: string };
  expect(e.title).toBe("Morning report, Tue, 24 Nov 2026");
  expect(e.id).toBe("report.morning:Tue, 24 Nov 2026");
  const section = (title: string) => e.sections.find((x) => x.title === title)!;
  // Four tasks, hourly, seven times each (00:10 to 06:10 Stockholm); the report covers since Monday's 07:00.
  const runs = section("Runs").lines[0]!.text;
  expect(runs).toMatch(/^28 runs: 22 succeeded, 6 failed, 0 aborted$/);
  expect(section("Failures by cause").lines.map((l) => l.text)).toEqual(["connection errors from DWH (6 failed runs, still open): Load 1, Load 2"]);
  const open = section("Still open").lines.map((l) => l.text);
  expect(open).toEqual([expect.stringMatching(/^Load 2: failing since Tue 24 Nov 03:1\d \(4 failures\)$/)]);
  expect(e.summary).toBe(
    "Since Mon 23 Nov 07:00: 6 of 28 runs failed or aborted (1 cause); 1 incident still open; 0 late, stale or not running; 0 promised apps late.",
  );
  expect(section("Slowest reloads").lines).toHaveLength(4);
});

test("Slack and Teams: every section with its lines", () => {
  const [slack] = posted("/slack") as Array<{ blocks: Array<{ type: string; text?: { text: string } }> }>;
  const texts = slack!.blocks.map((b) => b.text?.text ?? "");
  expect(texts[0]).toContain("Morning report, Tue, 24 Nov 2026");
  expect(texts.find((x) => x.startsWith("*Still open*"))).toContain("Load 2: failing since");
  expect(texts.find((x) => x.startsWith("*Failures by cause*"))).toContain("Load 1, Load 2");
  const [teams] = posted("/teams") as Array<{ attachments: Array<{ content: { body: Array<{ text?: string }> } }> }>;
  const body = teams!.attachments[0]!.content.body.map((b) => b.text ?? "");
  expect(body).toContain("Still open");
  expect(body.some((x) => x.startsWith("• Load 2: failing since"))).toBe(true);
});

test("the mail, opened in Chromium: the sections and their lines are what a person reads", async () => {
  expect(smtp.mails).toHaveLength(1);
  const mail = smtp.mails[0]!.mail;
  expect(mail.subject).toBe("[Qlik Sense] Morning report, Tue, 24 Nov 2026");
  const browser = await launchChromium();
  try {
    await browser.page.setContent(mail.html ?? "");
    // innerText, not textContent: what the page shows, laid out as a reader sees it.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
    const text = await browser.page.evaluate(() => document.body.innerText);
    for (const heading of [
      "Runs",
      "Failures by cause",
      "Still open",
      "Late, stale or not running",
      "Freshness promises late or at risk",
      "Slowest reloads",
      "Reloads growing fastest",
    ])
      expect(text).toContain(heading);
    expect(text).toContain("28 runs: 22 succeeded, 6 failed, 0 aborted");
    expect(text).toMatch(/Load 2: failing since Tue 24 Nov 03:1\d \(4 failures\)/);
    // The marks beside failing lines are red, as on the dashboard.
    const marks = await browser.page.$$eval("span[style*='border-radius']", (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(marks).toContain("rgb(179, 38, 30)");
    // Nothing is wider than the mail's 640 px column.
    expect(await browser.page.evaluate(() => document.querySelector("table table")!.getBoundingClientRect().width)).toBeLessThanOrEqual(642);
  } finally {
    await browser.close();
  }
}, 60_000);
