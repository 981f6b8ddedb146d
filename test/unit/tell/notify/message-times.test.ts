// Every kind's built-in mail, Slack and Teams message, as `steward alert test --kind …` sends it (the sample event
// of that kind), says its times one way (issue 74): the message format in the site's zone, "2026-11-26 07:50 CET",
// in the subject, the text and the HTML; no ISO-8601 instant, whether the event's sentences were written by a judge
// or by a sample. The script log is left out: it is Qlik's log quoted as Qlik wrote it.
import { expect, test } from "bun:test";
import { EVENT_KINDS } from "../../../../src/platform/events/types";
import { AlertEventInputSchema, eventFromInput } from "../../../../src/tell/notify/event-schema";
import { buildVars } from "../../../../src/tell/notify/template-vars";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";

const NOW = Date.parse("2026-11-26T06:50:09.000Z");
const opts = { headLines: 15, tailLines: 25, links: [], timeZone: "Europe/Stockholm" };
const MESSAGE_TIME = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} CET\b/g;
const TIME_LIKE = /\b\d{1,2}:\d{2}(?::\d{2})?\b/g;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * What a person reads as a time: the text without the quoted script log (the HTML's without its <pre> log and
 * styles), and without what only looks like one: a rule's time of day (a trigger named "Daily at 03:30", a promise
 * "07:00 Mon, Tue, …") and the key of a reload outside the Scheduler (engine:node|app|session|instant), an id.
 */
function readable(name: string, out: string): string {
  const text = name.endsWith(".html")
    ? out
        .replace(/<pre[^>]*>[\s\S]*?<\/pre>/g, " ")
        .replace(/<style[\s\S]*?<\/style>/g, " ")
        .replace(/<[^>]+>/g, " ")
    : out.replace(/--- Script log:[\s\S]*?\n\n/, "\n");
  return text
    .replace(/Daily at \d{2}:\d{2}/g, "")
    .replace(/\d{2}:\d{2}(?= (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b)/g, "")
    .replace(/engine:[^\s)]+/g, "");
}

/** The text of a Slack or Teams message: every string in it, without the script log's code block. */
function chatText(message: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v.replace(/```[\s\S]*?```/g, " "));
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(message);
  return out.join("\n");
}

test("every kind's mail, Slack and Teams message says each time in the message format on the site's clock, none as ISO", async () => {
  const r = createTemplateRenderer();
  const wrong: string[] = [];
  let checked = 0;
  // A task.recovered or task.warning has no sample of its own (it is derived from a run's outcome).
  for (const kind of EVENT_KINDS.filter((k) => k !== "task.recovered" && k !== "task.warning")) {
    const { event } = await eventFromInput(AlertEventInputSchema.parse({ kind }), NOW);
    const vars = buildVars(event, opts);
    for (const name of [...["subject", "text", "html"].map((p) => `email/${kind}.${p}`), `slack/${kind}.json`, `teams/${kind}.json`]) {
      if (!r.has(name)) continue;
      const text = readable(name, name.endsWith(".json") ? chatText(r.renderJson(name, vars)) : r.render(name, vars));
      checked++;
      const iso = ISO.exec(text);
      if (iso) wrong.push(`${name}: ISO ${iso[0]}`);
      // A report says its times its own way, the zone named once (reports.md); only no ISO is asked of it.
      if (kind.startsWith("report.")) continue;
      const times = (text.match(MESSAGE_TIME) ?? []).length;
      const timeLike = (text.match(TIME_LIKE) ?? []).length;
      if (times !== timeLike) wrong.push(`${name}: ${timeLike - times} time(s) not in the message format: ${(text.match(TIME_LIKE) ?? []).join(", ")}`);
    }
  }
  expect(checked).toBeGreaterThan(150);
  expect(wrong).toEqual([]);
});
