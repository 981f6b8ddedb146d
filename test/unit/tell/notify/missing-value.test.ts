// A template that prints a missing value (`<%= it.noSuchVar %>`) fails instead of sending "Task undefined failed": the
// renderer names the template, line and expression; a channel sends the plain form saying so; the config check
// reports it with the channel and the file; a value written with a default, and data that says "undefined", print.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { EVENT_KINDS } from "../../../../src/platform/events/types";
import { memoryChannelState } from "../../../../src/tell/notify/channel-state";
import { slackChannel } from "../../../../src/tell/notify/channels/slack";
import { checkNotifyConfig, sampleEventSets } from "../../../../src/tell/notify/check";
import { buildNotification } from "../../../../src/tell/notify/notification";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";
import { firstUndefinedPath, jsonPayloadArgument } from "../../../../src/tell/notify/templates/json-payload";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let tmp: TempDir | undefined;
afterEach(() => {
  tmp?.remove();
  tmp = undefined;
});

/** An override folder holding these files (name → text), below tmp. */
function overrides(files: Record<string, string>): string {
  tmp = createTempDir("steward-missing-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(tmp.path, "over", name, ".."), { recursive: true });
    writeFileSync(join(tmp.path, "over", name), text);
  }
  return join(tmp.path, "over");
}

function renderError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("rendered without an error");
}

/** The notification of a failed reload of task Finance, as the notifier builds it for a channel. */
const financeFailed = () =>
  buildNotification(
    {
      deliveryId: 1,
      key: "k",
      channel: "c",
      route: "r",
      events: [syntheticTaskEvent({ outcome: "failed", taskName: "Finance" })],
      recipient: "",
      target: null,
      attempt: 1,
    },
    { headLines: 15, tailLines: 25, links: [] },
  );

describe("a template printing a missing value", () => {
  test("fails naming the template, the line and the expression, for a top-level and a nested name", () => {
    const dir = overrides({
      "email/task.failed.subject.eta": "Task <%= it.noSuchVar %> failed",
      "email/task.failed.text.eta": "Task <%= it.taskName %>\nOwner: <%= it.task.noSuchField %>\n",
    });
    const r = createTemplateRenderer([dir]);
    const top = renderError(() => r.render("email/task.failed.subject", { taskName: "T1" }));
    expect(top.code).toBe("CONFIG_INVALID");
    expect(top.details).toEqual({
      template: "email/task.failed.subject",
      origin: join(dir, "email/task.failed.subject.eta"),
      why: "line 1: it.noSuchVar is undefined, nothing to print",
      expression: "it.noSuchVar",
    });
    expect(top.message).toContain('(write it.noSuchVar ?? "" where the value may be missing)');
    const nested = renderError(() => r.render("email/task.failed.text", { taskName: "T1", task: {} }));
    expect(nested.details).toMatchObject({ why: "line 2: it.task.noSuchField is undefined, nothing to print", expression: "it.task.noSuchField" });
  });

  test("null is missing too, in an escaped and in a raw tag", () => {
    const dir = overrides({ "email/task.failed.html.eta": "<p><%= it.a %></p>", "webhook/task.failed.json.eta": '{"a": "<%~ it.a %>"}' });
    const r = createTemplateRenderer([dir]);
    expect(renderError(() => r.render("email/task.failed.html", { a: null })).details).toMatchObject({ why: "line 1: it.a is null, nothing to print" });
    expect(renderError(() => r.renderJson("webhook/task.failed.json", { a: null })).details).toMatchObject({ expression: "it.a" });
  });

  test("in a partial, the partial's own file and line are named, not the template that included it", () => {
    const dir = overrides({ "email/_task.text.eta": "<%= it.headline %>\n\n<%= it.appOwner %>\n" });
    const r = createTemplateRenderer([dir]);
    const err = renderError(() => r.render("email/task.failed.text", { headline: "h" }));
    expect(err.details).toMatchObject({
      template: "email/_task.text",
      origin: join(dir, "email/_task.text.eta"),
      why: "line 3: it.appOwner is undefined, nothing to print",
    });
  });

  test("a default, an empty or falsy value and data saying 'undefined' print as before", () => {
    const dir = overrides({
      "email/task.failed.text.eta": '<%= it.x ?? "none" %>|<%= orDash(it.y) %>|<%= it.zero %>|<%= it.no %>|<%= it.empty %>|<%= it.word %>|<%~ json(it.y) %>',
    });
    const r = createTemplateRenderer([dir]);
    expect(r.render("email/task.failed.text", { zero: 0, no: false, empty: "", word: "undefined" })).toBe("none|–|0|false||undefined|null");
  });
});

describe("a whole-payload json({ … }) in an administrator's template", () => {
  test("a key whose value is missing fails, naming its path; null, a default and a value made of data are kept", () => {
    const dir = overrides({
      "webhook/task.failed.json.eta": '<%~ json({ task: it.taskName, app: { name: it.appNmae }, tags: [it.tag, "x"] }) %>',
      "webhook/task.aborted.json.eta": "<%~ json({ task: it.taskName, note: it.note ?? null, owner: it.owner, list: [1, null] }) %>",
    });
    const r = createTemplateRenderer([dir]);
    const err = renderError(() => r.renderJson("webhook/task.failed.json", { taskName: "T1", tag: "nightly" }));
    expect(err.details).toMatchObject({
      template: "webhook/task.failed.json",
      why: "line 1: app.name is undefined in the object given to json(…), which would leave it out",
      expression: "app.name",
    });
    expect(err.message).toContain("(give app.name a value, or ?? null where it may be missing)");
    const inList = renderError(() => r.renderJson("webhook/task.failed.json", { taskName: "T1", appNmae: "A" }));
    expect(inList.details).toMatchObject({ expression: "tags[0]" });
    expect(r.renderJson("webhook/task.aborted.json", { taskName: "T1", owner: { name: "anna", seen: null } })).toEqual({
      task: "T1",
      note: null,
      owner: { name: "anna", seen: null },
      list: [1, null],
    });
  });

  test("the built-in templates are not looked into: their payloads leave an absent incident or app out on purpose", () => {
    const r = createTemplateRenderer([]);
    const n = financeFailed();
    const out = r.renderJson("webhook/task.failed.json", { ...n.vars, incident: undefined }) as Record<string, unknown>;
    expect(out.taskName).toBe("Finance");
    expect("incident" in out).toBe(false);
  });

  test("only a tag that is one json( call on an object or array literal is looked into", () => {
    expect(jsonPayloadArgument('json({ a: it.a, b: ")" })')).toBe('{ a: it.a, b: ")" }');
    expect(jsonPayloadArgument("json([it.a])  ")).toBe("[it.a]");
    expect(jsonPayloadArgument("json({ a: 1 }) + json({ b: it.b })")).toBeUndefined();
    expect(jsonPayloadArgument("json(it.payload)")).toBeUndefined();
    expect(jsonPayloadArgument("trunc(json({ a: it.a }), 10)")).toBeUndefined();
    expect(firstUndefinedPath({ a: { b: [1, { c: undefined }] } })).toBe("a.b[1].c");
    expect(firstUndefinedPath({ at: new Date(0), n: null })).toBeUndefined();
  });
});

describe("on a channel and in the config check", () => {
  test("the alert goes out in the plain form naming the template and the expression; a strict render throws", () => {
    const dir = overrides({ "slack/task.failed.json.eta": '{ "text": "Task <%= it.event.task.noSuchField %> failed" }' });
    const n = financeFailed();
    const deps = {
      name: "c",
      log: pino({ level: "silent" }),
      clock: createSteppedClock(0),
      templates: createTemplateRenderer([dir]),
      baseDir: "/tmp",
      state: memoryChannelState(),
    };
    const cfg = { type: "slack", webhookUrl: "http://127.0.0.1:9/x" } as never;
    const text = (slackChannel.preview(cfg, n, deps) as { body: { text: string } }).body.text;
    expect(text).toStartWith("Reload task failed: Finance");
    expect(text).not.toContain("Task undefined failed");
    expect(text).toContain("template slack/task.failed.json failed (line 1: it.event.task.noSuchField is undefined, nothing to print)");
    expect(() => slackChannel.preview(cfg, n, { ...deps, strictTemplates: true })).toThrow(
      `template slack/task.failed.json (${join(dir, "slack/task.failed.json.eta")}) failed: line 1: it.event.task.noSuchField is undefined`,
    );
  });

  test("config check names the channel, the file, the line and the expression", () => {
    const dir = overrides({ "email/task.aborted.text.eta": "Aborted: <%= it.taskName %>\nBy: <%= it.abortedBy %>\n" });
    const { config } = parseConfigText(
      "channels:\n  ops-mail: { type: email, smtp: { host: h.invalid }, from: s@corp.example, to: [o@corp.example] }\nnotify: { templatesDir: ./over }\n",
      "t.yaml",
      join(dir, ".."),
    );
    const problems = checkNotifyConfig(config, join(dir, ".."));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(
      `channels.ops-mail: template email/task.aborted.text (${join(dir, "email/task.aborted.text.eta")}) failed: line 2: it.abortedBy is undefined, nothing to print`,
    );
  });

  test("the samples the check renders every built-in against cover every event kind", () => {
    const kinds = new Set(sampleEventSets().flatMap((set) => set.map((e) => e.kind)));
    expect(EVENT_KINDS.filter((k) => !kinds.has(k))).toEqual([]);
  });
});
