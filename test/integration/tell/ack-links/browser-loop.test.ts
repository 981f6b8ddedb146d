// The on-call loop as a person does it, in two real browsers: the demo's capture inbox receives its first alerts;
// Chromium presses one mail's Acknowledge button and Firefox another mail's Snooze button (the link's landing page,
// then its confirmation); the dashboard shows both; and the same kind of action posted by a page of another origin is
// refused. Before, the landing page's `Referrer-Policy: no-referrer` made the browsers post with `Origin: null`, and
// the browser guard answered every confirmation with a 403.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import demoYaml from "../../../../config/demo.yaml" with { type: "text" };
import { startDemo, type RunningDemo } from "../../../../src/show/demo/run-demo";
import { createDemoTerminal } from "../../../../src/show/demo/terminal";
import type { CapturedMail } from "../../../../src/show/demo/capture-types";
import { loggerFor } from "../../../../src/show/cli/logging";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { launchChromium, type TestBrowser } from "../../show/dashboard/chromium";
import { launchFirefox, type FirefoxPage } from "../../show/dashboard/firefox";

interface MailLink {
  incident: number;
  action: string;
  url: string;
  recipient: string;
}

const LINK = /href="(http:\/\/127\.0\.0\.1:\d+\/act\/incident\/(\d+)\?[^"]+)"/g;
const unescapeHtml = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#38;", "&");

function linksIn(mail: CapturedMail): MailLink[] {
  return [...(mail.html ?? "").matchAll(LINK)].map((m) => {
    const url = unescapeHtml(m[1]!);
    const q = new URL(url).searchParams;
    return { incident: Number(m[2]), action: q.get("a") ?? "", url, recipient: q.get("r") ?? "" };
  });
}

let dir: TempDir;
let demo: RunningDemo;
let chromium: TestBrowser | undefined;
let firefox: FirefoxPage | undefined;
let page: Page;
let steward: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = createTempDir("steward-browser-loop-");
  demo = await startDemo({
    yaml: demoYaml,
    baseDir: dir.path,
    // The demo tests expect the preferred ports (7480, …): this one takes free ones.
    anyPorts: true,
    terminal: createDemoTerminal({ write: (l) => lines.push(l), colour: false }),
    logger: (loaded) => loggerFor({ logging: { ...loaded.config.logging, format: "json" } }, {}, loaded.secrets, (l) => lines.push(l)),
  });
  steward = demo.urls.steward;
  chromium = await launchChromium();
  page = chromium.page;
  firefox = await launchFirefox();
}, 120_000);

afterAll(async () => {
  await firefox?.close();
  await chromium?.close();
  await demo?.stop();
  dir?.remove();
});

/** Two mails about two different open incidents, each with its Acknowledge and Snooze links. */
async function twoIncidentsMailed(): Promise<[MailLink[], MailLink[]]> {
  return waitFor(
    () => {
      const byIncident = new Map<number, MailLink[]>();
      for (const mail of demo.inbox.mails())
        for (const l of linksIn(mail))
          if (!byIncident.has(l.incident) || byIncident.get(l.incident)![0]!.recipient === l.recipient)
            byIncident.set(l.incident, [...(byIncident.get(l.incident) ?? []), l]);
      const found = [...byIncident.values()].filter((ls) => ls.some((l) => l.action === "ack") && ls.some((l) => l.action === "snooze"));
      return found.length >= 2 ? ([found[0]!, found[1]!] as [MailLink[], MailLink[]]) : undefined;
    },
    { what: "mails about two incidents with Acknowledge and Snooze links", timeoutMs: 120_000, intervalMs: 250 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nthe demo said:\n${lines.slice(-60).join("\n")}`);
  });
}

const incident = async (id: number) =>
  (await (await fetch(`${steward}/v4/incidents/${id}`)).json()) as { id: number; status: string; acknowledgedBy: string | null };

test("Acknowledge in Chromium and Snooze in Firefox from the demo's mails, both on the dashboard; another origin's post refused", async () => {
  const [first, second] = await twoIncidentsMailed();
  const ack = first.find((l) => l.action === "ack")!;
  const snooze = second.find((l) => l.action === "snooze")!;

  // Chromium: the mail's Acknowledge button opens the landing page; its button confirms (a form POST the browser makes).
  const origins: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") origins.push(r.headers().origin ?? "(none)");
  });
  await page.goto(ack.url);
  expect(await page.textContent("h1")).toContain("Acknowledge this incident?");
  await page.click('button[value="ack"]');
  await page.waitForSelector("h1");
  const ackResult = (await page.textContent("main")) ?? "";
  expect(ackResult).toContain(`is acknowledged by ${ack.recipient}`);
  expect(origins).toEqual([new URL(steward).origin]);
  expect((await incident(ack.incident)).acknowledgedBy).toBe(ack.recipient);

  // Firefox: the other mail's Snooze button, then the first snooze choice on the landing page.
  await firefox!.goto(snooze.url);
  expect(await firefox!.text()).toContain("Snooze this incident?");
  await firefox!.click('button[name="choice"]');
  const snoozed = await waitFor(
    async () => {
      const text = await firefox!.text().catch(() => "");
      return /is snoozed/.test(text) ? text : undefined;
    },
    { what: "Firefox's snooze result page" },
  );
  expect(snoozed).toContain(`Incident #${snooze.incident}`);

  // Both on the dashboard's incidents page.
  await page.goto(`${steward}/ui/incidents`);
  expect(await page.textContent(`tr[data-incident="${ack.incident}"] td[data-role="ack"] b`)).toBe(ack.recipient);
  expect(await page.textContent(`tr[data-incident="${snooze.incident}"] [data-role="snooze"]`)).toContain(snooze.recipient);

  // A page of another origin posting the dashboard's acknowledge action is refused, and acts on nothing.
  const evilPort = await freeTcpPort();
  const evil = Bun.serve({
    hostname: "127.0.0.1",
    port: evilPort,
    fetch: () =>
      new Response(
        `<!doctype html><form method="post" action="${steward}/v4/incidents/${snooze.incident}/acknowledge"><button id="go" type="submit">Win a prize</button></form>`,
        { headers: { "content-type": "text/html" } },
      ),
  });
  try {
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes(`/v4/incidents/${snooze.incident}/acknowledge`)), page.click("#go")]);
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain(`cross-origin POST from http://127.0.0.1:${evilPort} refused`);
  } finally {
    await evil.stop(true);
  }
  expect((await incident(snooze.incident)).acknowledgedBy).toBeNull();
}, 240_000);
