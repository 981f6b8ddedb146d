// The page of a failed run shows what the alert shows: for each task of the simulator's default site that fails
// with a script error, the event page's "What failed" block holds the same error lines as the failure mail, above
// the script log, and the log itself is not cut to its last line; the HTML mail puts them above its details.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { parse } from "yaml";
import siteText from "../../../../config/sim-site.yaml" with { type: "text" };
import { simControl } from "../../../helpers/sim-control";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import type { Harness } from "../../hear/intake/harness";
import type { SmtpReceiver } from "../../tell/notify/receivers";

const failing = (parse(siteText) as { tasks: Array<{ id?: string; name: string; type: string; scriptError?: string }> }).tasks.filter(
  (t) => t.type === "reload" && t.scriptError,
);

let smtp: SmtpReceiver;
let h: Harness;
let m: MailedHarness | undefined;

beforeAll(async () => {
  m = await startMailedHarness("steward-event-page-", {
    site: siteText,
    extraYaml: (mail) => `
channels:
${mail}
routes:
  - { on: [task.failed], to: [mail] }
`,
  });
  ({ h, smtp } = m);
}, 60_000);

afterAll(async () => {
  await m?.close();
});

const htmlText = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** The lines under "What went wrong (script log):" in the plain-text mail. */
function mailErrorLines(text: string): string[] {
  const after = text.split("What went wrong (script log):\n")[1] ?? "";
  return after
    .split(/\n\s*\n/)[0]!
    .split("\n")
    .filter(Boolean);
}

test("the simulator's default site has failing reloads to check", () => {
  expect(failing.length).toBeGreaterThanOrEqual(3);
  expect(failing.map((t) => t.scriptError).join(" ")).toContain("Connector reply error");
});

for (const task of failing) {
  test(`${task.name}: the event page shows the mail's error lines first`, { timeout: 30_000 }, async () => {
    // Tasks of the site file may leave their id to the simulator: look it up by name.
    const listed = (await simControl(h.sim, "GET", "/tasks")) as Array<{ id: string; name: string }>;
    const id = task.id ?? listed.find((t) => t.name === task.name)!.id;
    const executionId = await h.runWhenIdle(id, "fail");
    await h.eventFor(executionId);
    const mail = await waitFor(
      () => smtp.mails.find((m) => m.mail.headers.some((x) => x.key === "x-steward-delivery" && String(x.value).startsWith(`${executionId}:`))),
      { what: `the mail of ${task.name}`, timeoutMs: 15_000 },
    );
    const fromMail = mailErrorLines(mail.mail.text ?? "");
    expect(fromMail.join("\n")).toContain(task.scriptError!.slice(0, 40));
    // The HTML mail shows them above its table of task, app and run details.
    const html = String(mail.mail.html);
    expect(html.indexOf("What went wrong")).toBeGreaterThan(0);
    expect(html.indexOf("What went wrong")).toBeLessThan(html.indexOf(">Task id<"));

    const entry = h.t.app.dashboard.timeline
      .entries()
      .find((e) => "executionId" in e.event && e.event.executionId === executionId && e.event.kind === "task.failed");
    expect(entry).toBeDefined();
    const res = await h.t.request(`/ui/events/${entry!.seq}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const block = /<pre class="log-errors" data-role="error-lines">([\s\S]*?)<\/pre>/.exec(body);
    expect(block).not.toBeNull();
    expect(htmlText(block![1]!).split("\n").filter(Boolean)).toEqual(fromMail);
    // The error block comes before the log, and the log holds more than its last line.
    const log = /<pre data-role="script-log">([\s\S]*?)<\/pre>/.exec(body);
    expect(body.indexOf('data-role="error-lines"')).toBeLessThan(body.indexOf('data-role="script-log"'));
    expect(htmlText(log![1]!).split("\n").length).toBeGreaterThan(3);
    expect(htmlText(log![1]!)).toContain(task.scriptError!.slice(0, 40));
  });
}
