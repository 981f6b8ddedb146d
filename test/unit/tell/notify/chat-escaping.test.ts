// Slack and Teams read their text as markup (Slack mrkdwn: <!channel>, <url|label>; Teams card Markdown: [label](url),
// **bold**, list markers): a task, app, service or host name, a message or a route name that carries such markup
// must reach the channel as text, in every text field of every built-in template.
import { describe, expect, test } from "bun:test";
import { DATA_CHECK_EVENT_KINDS, SITE_EVENT_KINDS, type TaskEvent } from "../../../../src/platform/events/types";
import { syntheticDataCheckEvent, syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { buildDigestVars, buildVars, type TemplateVars } from "../../../../src/tell/notify/template-vars";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";

const EVIL = "Q <!channel> <https://evil.example/x|click here> [x](https://evil.example/y) **b** _i_\n- item\n1. first";
const opts = { headLines: 15, tailLines: 25, links: [] };

function hostileTask(outcome: TaskEvent["outcome"]): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskName: `task ${EVIL}`, appName: `app ${EVIL}`, host: `host ${EVIL}` });
  e.user = `CORP\\user ${EVIL}`;
  e.logMessage = `message ${EVIL}`;
  if (e.app) e.app.stream = `stream ${EVIL}`;
  if (e.execution) e.execution.executingNode = `node ${EVIL}`;
  return e;
}

function hostileSite(kind: (typeof SITE_EVENT_KINDS)[number]) {
  const e = syntheticSiteEvent(kind, { host: `host ${EVIL}` });
  return { ...e, title: `title ${EVIL}`, summary: `summary ${EVIL}`, facts: [...e.facts, { name: `fact ${EVIL}`, value: `value ${EVIL}` }] };
}

/** Every event kind's variables with EVIL in each name, plus a digest of all of them. */
function allVars(): Array<[string, TemplateVars]> {
  const single: Array<[string, TemplateVars]> = [
    ...(["failed", "succeeded", "aborted"] as const).map((o) => [`task.${o}`, buildVars(hostileTask(o), opts)] as [string, TemplateVars]),
    ...(["stopped", "started"] as const).map(
      (s) => [`service.${s}`, buildVars(syntheticServiceEvent({ state: s, host: `host ${EVIL}`, service: `svc ${EVIL}` }), opts)] as [string, TemplateVars],
    ),
    ...SITE_EVENT_KINDS.map((k) => [k, buildVars(hostileSite(k), opts)] as [string, TemplateVars]),
    ...DATA_CHECK_EVENT_KINDS.map(
      (k) => [k, buildVars(syntheticDataCheckEvent(k, { appName: `app ${EVIL}`, host: `host ${EVIL}` }), opts)] as [string, TemplateVars],
    ),
  ];
  return [
    ...single,
    [
      "digest",
      buildDigestVars(
        single.map(([, v]) => v),
        `route ${EVIL}`,
        300_000,
      ),
    ],
  ];
}

/** Strings of a Slack payload that Slack reads as mrkdwn: the top-level text and every mrkdwn text object. */
function slackMarkup(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, top: boolean) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, false));
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (typeof o.text === "string" && (top || o.type === "mrkdwn")) out.push(o.text);
    for (const x of Object.values(o)) walk(x, false);
  };
  walk(payload, true);
  return out;
}

/** Strings of a Teams card that Teams reads as Markdown: TextBlock texts and fact titles and values. */
function teamsMarkup(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.type === "TextBlock" && typeof o.text === "string") out.push(o.text);
    if (o.type === "FactSet" && Array.isArray(o.facts)) for (const f of o.facts as Array<{ title: string; value: string }>) out.push(f.title, f.value);
    for (const x of Object.values(o)) walk(x);
  };
  walk(payload);
  return out;
}

describe("chat channels show names as text", () => {
  const r = createTemplateRenderer();
  const cases = allVars();

  test("Slack: no mention, link or other <…> markup from a name survives in the top-level text or any mrkdwn text", () => {
    for (const [kind, vars] of cases) {
      const payload = r.renderJson(`slack/${kind}.json`, vars);
      const texts = slackMarkup(payload);
      expect(texts.length).toBeGreaterThan(1);
      for (const t of texts) {
        expect({ kind, t, raw: /<[!@#]|<https?:/.test(t) }).toEqual({ kind, t, raw: false });
      }
      // The top-level text is the one shown in notifications: it names the event, escaped.
      const top = (payload as { text: string }).text;
      if (kind.startsWith("task.")) expect(top).toContain("&lt;!channel&gt;");
    }
  });

  test("Teams: no link, emphasis or list from a name survives in any TextBlock or fact", () => {
    for (const [kind, vars] of cases) {
      const texts = teamsMarkup(r.renderJson(`teams/${kind}.json`, vars));
      expect(texts.length).toBeGreaterThan(1);
      for (const t of texts) {
        const raw =
          t.includes("[x](") || t.includes("**b") || /(^|[^\\])_i/.test(t) || /\n- item/.test(t) || /\n1\. first/.test(t) || /(^|[^\\])<!channel/.test(t);
        expect({ kind, t, raw }).toEqual({ kind, t, raw: false });
      }
      // The names are still there, readable once Teams drops the escapes.
      const joined = texts.join("\n").replace(/\\(.)/g, "$1");
      expect(joined).toContain("[x](https://evil.example/y)");
    }
  });
});
