// The on-call loop as a person does it, in two real browsers: the demo's capture inbox receives its first alerts;
// Chromium and Firefox each press one mail's Acknowledge button and another mail's Snooze button (the link's landing
// page, then its confirmation); Firefox presses the dashboard's own Acknowledge and Snooze on two more incidents
// (answering the question each asks first); the dashboard shows all six; and the same kind of action posted by a page
// of another origin is refused in both browsers. Before, the landing page's `Referrer-Policy: no-referrer` made the
// browsers post with `Origin: null`, and the browser guard answered every confirmation with a 403; and the dashboard
// had no Snooze.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { SilenceView } from "../../../../src/tell/silences/routes";
import { freeTcpPort } from "../../../helpers/free-port";
import { startDemoInBrowsers, type DemoInBrowsers } from "../../../helpers/test-demo";
import { waitFor } from "../../../helpers/wait-for";
import { type MailedIncident, sixIncidents } from "./browser-loop-incidents";

let site: DemoInBrowsers | undefined;
let demo: DemoInBrowsers["demo"];
let firefox: DemoInBrowsers["firefox"];
let page: Page;
let steward: string;
let lines: string[];

beforeAll(async () => {
  site = await startDemoInBrowsers("steward-browser-loop-");
  ({ demo, firefox, lines } = site);
  steward = demo.urls.steward;
  page = site.chromium.page;
}, 120_000);

afterAll(async () => {
  await site?.stop();
});

const incident = async (id: number) =>
  (await (await fetch(`${steward}/v4/incidents/${id}`)).json()) as { id: number; title: string; status: string; acknowledgedBy: string | null };

/** Firefox's page text once it matches `re`. */
const firefoxText = (re: RegExp, what: string) =>
  waitFor(
    async () => {
      const text = await firefox!.text().catch(() => "");
      return re.test(text) ? text : undefined;
    },
    { what },
  );

async function chromiumFromMail(ackOf: MailedIncident, snoozeOf: MailedIncident): Promise<void> {
  const origins: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") origins.push(r.headers().origin ?? "(none)");
  });
  await page.goto(ackOf.ack.url);
  expect(await page.textContent("h1")).toContain("Acknowledge this incident?");
  await page.click('button[value="ack"]');
  await page.waitForSelector("h1");
  expect((await page.textContent("main")) ?? "").toContain(`is acknowledged by ${ackOf.ack.recipient}`);
  await page.goto(snoozeOf.snooze.url);
  expect(await page.textContent("h1")).toContain("Snooze this incident?");
  await page.click('button[name="choice"]');
  await page.waitForSelector("h1");
  expect((await page.textContent("main")) ?? "").toContain(`Incident #${snoozeOf.snooze.incident}`);
  expect((await page.textContent("main")) ?? "").toContain("is snoozed");
  // The confirmations were posted with the page's own origin (not `null`).
  expect(origins).toEqual([new URL(steward).origin, new URL(steward).origin]);
  page.removeAllListeners("request");
}

async function firefoxFromMail(ackOf: MailedIncident, snoozeOf: MailedIncident): Promise<void> {
  await firefox!.goto(ackOf.ack.url);
  expect(await firefox!.text()).toContain("Acknowledge this incident?");
  await firefox!.click('button[value="ack"]');
  expect(await firefoxText(/is acknowledged by/, "Firefox's acknowledge result page")).toContain(`is acknowledged by ${ackOf.ack.recipient}`);
  await firefox!.goto(snoozeOf.snooze.url);
  expect(await firefox!.text()).toContain("Snooze this incident?");
  await firefox!.click('button[name="choice"]');
  expect(await firefoxText(/is snoozed/, "Firefox's snooze result page")).toContain(`Incident #${snoozeOf.snooze.incident}`);
}

/** Clicks a dashboard action in Firefox and answers the question it asks first; returns the question. */
async function pressAndAnswer(selector: string, text?: string): Promise<string> {
  const asked = firefox!.answerPrompt({ accept: true, ...(text !== undefined ? { text } : {}) });
  const clicked = firefox!.click(selector);
  const question = await asked;
  await clicked;
  return question.message;
}

const firefoxHas = (selector: string, re: RegExp) =>
  waitFor(
    async () => {
      const t = await firefox!.evaluate<string | null>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`).catch(() => null);
      return t !== null && re.test(t) ? t : undefined;
    },
    { what: `${selector} matching ${re} in Firefox` },
  );

/** A page of another origin whose button posts `action` with a plain form; `visit` opens it and presses the button. */
async function fromAnotherOrigin(action: string, visit: (url: string) => Promise<void>): Promise<void> {
  const port = await freeTcpPort();
  const evil = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch: () =>
      new Response(`<!doctype html><form method="post" action="${action}"><button id="go" type="submit">Win a prize</button></form>`, {
        headers: { "content-type": "text/html" },
      }),
  });
  try {
    await visit(`http://127.0.0.1:${port}/`);
  } finally {
    await evil.stop(true);
  }
}

test("Acknowledge and Snooze from the demo's mails in Chromium and in Firefox, and from the dashboard in Firefox; all six on the dashboard; another origin's post refused in both", async () => {
  const six = await sixIncidents(
    steward,
    () => demo.inbox.mails(),
    () => lines.slice(-60).join("\n"),
  );
  await chromiumFromMail(six.chromium[0]!, six.chromium[1]!);
  await firefoxFromMail(six.firefox[0]!, six.firefox[1]!);

  // The dashboard's own Acknowledge in Firefox: it asks first, with a note.
  const { ack, snooze } = six.dashboard;
  await firefox!.goto(`${steward}/ui/incidents`);
  const ackQuestion = await pressAndAnswer(`tr[data-incident="${ack}"] button[data-action="ack-incident"]`, "on it, from Firefox");
  expect(ackQuestion).toContain(`Acknowledge the incident of ${(await incident(ack)).title}?`);
  await firefoxHas(`tr[data-incident="${ack}"] td[data-role="ack"] .muted`, /on it, from Firefox/);

  // The dashboard's Snooze in Firefox, the second choice (the link page's second one, 4h by default). The choice has
  // the focus, as when a person picks it: the page's auto-refresh then leaves it alone until the button is pressed.
  const group = `tbody:has(tr[data-incident="${snooze}"])`;
  const choice = await firefox!.evaluate<string>(
    `(() => { const s = document.querySelector(${JSON.stringify(`${group} select[data-snooze-choice]`)}); s.focus(); s.selectedIndex = 1; return s.options[1].textContent; })()`,
  );
  expect(choice).toBe("for 4h");
  const snoozeQuestion = await pressAndAnswer(`${group} button[data-action="snooze"]`);
  expect(snoozeQuestion).toMatch(/^Snooze .+ for 4h\? Its further alerts are held until then/);
  const note = await firefoxHas(`tr[data-incident="${snooze}"] [data-role="snooze"]`, /Snoozed until/);
  expect(await firefox!.evaluate<number>(`document.querySelectorAll(${JSON.stringify(`${group} [data-role="snooze-action"]`)}).length`)).toBe(0);
  // The same silence a link's snooze makes: the incidents of the cause, while they are open, for the chosen time.
  const active = ((await (await fetch(`${steward}/v4/silences?state=active`)).json()) as { silences: SilenceView[] }).silences;
  const made = active.find((s) => s.reason.startsWith("snoozed from the dashboard"));
  expect(made?.matcher.incidentIds).toContain(snooze);
  expect(Date.parse(made!.endsAt) - Date.parse(made!.startsAt)).toBe(4 * 3_600_000);
  expect(note).toContain(made!.author);

  // All six read back on the dashboard's incidents page (in Chromium).
  await page.goto(`${steward}/ui/incidents`);
  const acked = [six.chromium[0]!.ack, six.firefox[0]!.ack].map((l) => [l.incident, l.recipient] as const);
  for (const [id, who] of [...acked, [ack, (await incident(ack)).acknowledgedBy!] as const])
    expect(await page.textContent(`tr[data-incident="${id}"] td[data-role="ack"] b`)).toBe(who);
  const snoozed = [six.chromium[1]!.snooze, six.firefox[1]!.snooze].map((l) => [l.incident, l.recipient] as const);
  for (const [id, who] of [...snoozed, [snooze, made!.author] as const])
    expect(await page.textContent(`tr[data-incident="${id}"] [data-role="snooze"]`)).toContain(who);

  // A page of another origin posting the dashboard's acknowledge action is refused in both browsers, and acts on nothing.
  const [chromiumTarget, firefoxTarget] = [six.chromium[1]!.snooze.incident, six.firefox[1]!.snooze.incident];
  await fromAnotherOrigin(`${steward}/v4/incidents/${chromiumTarget}/acknowledge`, async (url) => {
    await page.goto(url);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes(`/v4/incidents/${chromiumTarget}/acknowledge`)), page.click("#go")]);
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain(`cross-origin POST from ${new URL(url).origin} refused`);
  });
  await fromAnotherOrigin(`${steward}/v4/incidents/${firefoxTarget}/acknowledge`, async (url) => {
    await firefox!.goto(url);
    await firefox!.click("#go");
    await firefoxText(new RegExp(`cross-origin POST from ${new URL(url).origin.replaceAll(".", "\\.")} refused`), "Firefox's refused post");
  });
  expect((await incident(chromiumTarget)).acknowledgedBy).toBeNull();
  expect((await incident(firefoxTarget)).acknowledgedBy).toBeNull();
}, 240_000);
