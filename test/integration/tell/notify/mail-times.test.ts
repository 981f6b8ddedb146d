// Every time in an alert mail reads one way (issue 74): a reload fails twice in the simulated site after a success,
// and the second failure's mail, as the SMTP server received it, says each of its times (failing since, last success,
// started, finished, the execution's steps, when it was sent) in the site's zone in the message format
// "2026-11-26 07:50 CET", in its plain text and its HTML alike; none as ISO-8601, none with seconds, none another way.
// The script log is excluded: it is Qlik's log quoted as Qlik wrote it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, type Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "./receivers";

/** The message format in the site's zone (Europe/Stockholm in November: CET). */
const MESSAGE_TIME = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} CET\b/g;
/** Anything a person would read as a time of day: 07:50, 7:50, 07:50:09. */
const TIME_LIKE = /\b\d{1,2}:\d{2}(?::\d{2})?\b/g;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}|\d{8}T\d{6}/;
const OTHER_FORMS = /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? \d{1,2} [A-Z][a-z]{2}|\d{1,2}\/\d{1,2}\/\d{4}/;

/** What a person sees of the HTML: its text and its tooltips, without the quoted script log. */
function readableHtml(html: string): string {
  const withoutLog = html.replace(/<pre[^>]*>[\s\S]*?<\/pre>/g, " ");
  const tips = [...withoutLog.matchAll(/\b(?:title|alt)="([^"]*)"/g)].map((m) => m[1]);
  const text = withoutLog
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
  return [text, ...tips].join("\n");
}

/** The plain text without the quoted script log (from its heading to the blank line after it). */
const readableText = (text: string) => text.replace(/--- Script log:[\s\S]*?\n\n/, "\n");

function expectOneFormat(what: string, readable: string, atLeast: number): void {
  const times = readable.match(MESSAGE_TIME) ?? [];
  const timeLike = readable.match(TIME_LIKE) ?? [];
  expect({ what, timeLike: timeLike.length }).toEqual({ what, timeLike: times.length });
  expect(times.length).toBeGreaterThanOrEqual(atLeast);
  expect(readable).not.toMatch(ISO);
  expect(readable).not.toMatch(OTHER_FORMS);
}

let smtp: SmtpReceiver;
let h: Harness;
let m: MailedHarness | undefined;

beforeAll(async () => {
  m = await startMailedHarness("steward-mail-times-", {
    extraYaml: (mail) => `
notify: { timeZone: Europe/Stockholm }
actionLinks: { publicBaseUrl: "https://steward.corp.example/" }
channels:
${mail}
routes:
  - { name: failures, on: [task.failed], to: [mail], taskTypes: [reload], renotify: every }
`,
  });
  ({ h, smtp } = m);
}, 60_000);

afterAll(async () => {
  await m?.close();
});

test("a failed reload's mail says every time in the site's zone in one format, in its text and its HTML", { timeout: 40_000 }, async () => {
  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"));
  await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"));
  const second = await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"));
  await waitFor(() => smtp.mails.find((m) => m.mail.text?.includes(second.executionId)), { what: "the second failure's mail", timeoutMs: 15_000 });
  const m = smtp.mails.find((x) => x.mail.text?.includes(second.executionId))!;
  const text = m.mail.text ?? "";
  // The history line, the run's start and end and the footer: five times at least, all one way.
  expect(text).toMatch(/failing since \d{4}-\d{2}-\d{2} \d{2}:\d{2} CET · last success \d{4}-\d{2}-\d{2} \d{2}:\d{2} CET/);
  expectOneFormat("text", readableText(text), 5);
  expectOneFormat("html", readableHtml(m.mail.html ?? ""), 5);
  expectOneFormat("subject", m.mail.subject ?? "", 0);
});
