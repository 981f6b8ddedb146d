// Templates: every built-in file is embedded and renders for every event kind and task type; overrides
// replace single templates; every kind of template mistake is reported by the config check with its file.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";
import { checkNotifyConfig } from "../../../../src/tell/notify/check";
import { EMBEDDED_TEMPLATES } from "../../../../src/tell/notify/templates/embedded";
import { allTemplateNames } from "../../../../src/tell/notify/templates/names";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";
import { buildVars } from "../../../../src/tell/notify/template-vars";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const TEMPLATES = join(import.meta.dir, "../../../../templates");
const opts = { headLines: 15, tailLines: 25, links: [] };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? filesUnder(join(dir, e)) : [join(dir, e)]));
}

const ALL_CHANNELS = `
channels:
  mail: { type: email, smtp: { host: smtp.invalid }, from: steward@corp.example, to: [ops@corp.example] }
  slack: { type: slack, webhookUrl: "https://hooks.invalid/x" }
  teams: { type: teams, webhookUrl: "https://teams.invalid/x" }
  hook: { type: webhook, url: "https://hook.invalid/x", method: GET }
  bus: { type: mqtt, url: "mqtt://broker.invalid:1883" }
  tsdb: { type: influxdb, url: "http://influx.invalid:8086", database: d }
`;

let tmp: TempDir | undefined;
afterEach(() => {
  tmp?.remove();
  tmp = undefined;
});

function overrideDir(files: Record<string, string>): string {
  tmp = createTempDir("steward-templates-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(tmp.path, "over", name, ".."), { recursive: true });
    writeFileSync(join(tmp.path, "over", name), text);
  }
  return tmp.path;
}

describe("built-in templates", () => {
  test("every .eta file under templates/ is embedded, and every template name has a file", () => {
    const files = filesUnder(TEMPLATES)
      .filter((f) => f.endsWith(".eta"))
      .map((f) =>
        relative(TEMPLATES, f)
          .split(sep)
          .join("/")
          .replace(/\.eta$/, ""),
      )
      .sort();
    expect(Object.keys(EMBEDDED_TEMPLATES).sort()).toEqual(files);
    for (const name of allTemplateNames()) expect(files).toContain(name);
  });

  test("all of them render for every event kind, task type (with and without enrichment) and a digest", () => {
    const { config } = parseConfigText(ALL_CHANNELS, "t.yaml", "/tmp");
    expect(checkNotifyConfig(config, "/tmp")).toEqual([]);
  });

  test("HTML interpolations are escaped, text and subjects are not", () => {
    const r = createTemplateRenderer();
    const vars = buildVars(syntheticTaskEvent({ outcome: "failed", taskName: 'Load <script>alert("x")</script> & more' }), opts);
    const html = r.render("email/task.failed.html", vars);
    expect(html).toContain("Load &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    expect(html).not.toContain("<script>");
    expect(r.render("email/task.failed.text", vars)).toContain('Load <script>alert("x")</script> & more');
    expect(r.render("email/task.failed.subject", vars)).toContain('Load <script>alert("x")</script> & more');
    // JSON templates stay valid JSON whatever the text holds.
    const slack = r.renderJson("slack/task.failed.json", vars) as { blocks: Array<{ text?: { text: string } }> };
    expect(slack.blocks[0]!.text!.text).toContain('Load <script>alert("x")</script> & more');
    expect(JSON.stringify(slack)).toContain("&lt;script&gt;");
  });
});

describe("unconfirmed runs", () => {
  test("an alert for a run QRS did not confirm says so in its subject and headline, in every channel", () => {
    const r = createTemplateRenderer();
    const event = { ...syntheticTaskEvent({ outcome: "failed", taskName: "T1" }), unconfirmed: { qrs: "denied" as const, reason: "QRS has no execution x" } };
    const vars = buildVars(event, opts);
    expect(r.render("email/task.failed.subject", vars)).toStartWith("[Qlik Sense] UNCONFIRMED ");
    expect(r.render("email/task.failed.text", vars)).toStartWith("Unconfirmed: ");
    expect(r.render("email/task.failed.html", vars)).toContain("Unconfirmed: ");
    expect(JSON.stringify(r.renderJson("slack/task.failed.json", vars))).toContain("Unconfirmed: ");
    expect(JSON.stringify(r.renderJson("teams/task.failed.json", vars))).toContain("Unconfirmed: ");
    // A confirmed run's alert is unchanged.
    const plain = buildVars(syntheticTaskEvent({ outcome: "failed", taskName: "T1" }), opts);
    expect(r.render("email/task.failed.subject", plain)).not.toContain("UNCONFIRMED");
    expect(r.render("email/task.failed.text", plain)).not.toContain("Unconfirmed");
  });
});

describe("template overrides", () => {
  test("a file in notify.templatesDir replaces that one template only", () => {
    const dir = overrideDir({ "email/task.failed.subject.eta": "ALERT <%= it.taskName %> on <%= it.hostName %>" });
    const r = createTemplateRenderer([join(dir, "over")]);
    const vars = buildVars(syntheticTaskEvent({ outcome: "failed", taskName: "T1" }), opts);
    expect(r.render("email/task.failed.subject", vars)).toBe("ALERT T1 on sense1.corp.example");
    expect(r.origin("email/task.failed.subject")).toBe(join(dir, "over", "email/task.failed.subject.eta"));
    expect(r.origin("email/task.failed.html")).toBe("built-in");
  });

  test("the built-in set is compiled once for the process; a folder is read again each time (its files may change)", () => {
    expect(createTemplateRenderer()).toBe(createTemplateRenderer([]));
    const dir = overrideDir({ "email/task.failed.subject.eta": "first <%= it.taskName %>" });
    const vars = buildVars(syntheticTaskEvent({ outcome: "failed", taskName: "T1" }), opts);
    const before = createTemplateRenderer([join(dir, "over")]);
    writeFileSync(join(dir, "over", "email/task.failed.subject.eta"), "second <%= it.taskName %>");
    expect(before.render("email/task.failed.subject", vars)).toBe("first T1");
    expect(createTemplateRenderer([join(dir, "over")]).render("email/task.failed.subject", vars)).toBe("second T1");
  });

  test("a channel's own folder wins over notify.templatesDir", () => {
    const dir = overrideDir({ "global/slack/task.failed.json.eta": '{"text":"global"}', "mine/slack/task.failed.json.eta": '{"text":"mine"}' });
    const { config } = parseConfigText(
      `channels:\n  a: { type: slack, webhookUrl: "https://h.invalid/x", templates: ./over/mine }\nnotify: { templatesDir: ./over/global }\n`,
      "t.yaml",
      dir,
    );
    expect(checkNotifyConfig(config, dir)).toEqual([]);
    const r = createTemplateRenderer([join(dir, "over/mine"), join(dir, "over/global")]);
    expect(r.renderJson("slack/task.failed.json", {})).toEqual({ text: "mine" });
  });

  test.each([
    ["a syntax error", "email/task.failed.html.eta", "<% if (it.x) { %>never closed", /email\/task\.failed\.html\.eta: .*/],
    [
      "a runtime error",
      "email/task.failed.text.eta",
      "<%= it.nothing.here %>",
      /channels\.a: template email\/task\.failed\.text \(.*task\.failed\.text\.eta\) failed: .*nothing.*\(sample: task\.failed reload\)/,
    ],
    ["invalid JSON", "slack/task.failed.json.eta", '{ "text": <%= it.taskName %> }', /did not produce valid JSON/],
    ["an unknown template name", "email/task.faild.html.eta", "x", /unknown template name "email\/task\.faild\.html"/],
  ])("%s is reported by the config check, naming the file", (_n, file, text, pattern) => {
    const dir = overrideDir({ [file]: text });
    const type = file.startsWith("slack")
      ? 'slack, webhookUrl: "https://h.invalid/x"'
      : "email, smtp: { host: h.invalid }, from: s@corp.example, to: [o@corp.example]";
    const { config } = parseConfigText(`channels:\n  a: { type: ${type} }\nnotify: { templatesDir: ./over }\n`, "t.yaml", dir);
    const problems = checkNotifyConfig(config, dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(pattern);
  });

  test("a broken override stops the renderer with CONFIG_INVALID listing every problem", () => {
    const dir = overrideDir({ "email/task.failed.html.eta": "<% if (", "email/task.aborted.html.eta": "<% } %>" });
    let err: unknown;
    try {
      createTemplateRenderer([join(dir, "over")]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("CONFIG_INVALID");
    expect((err as AppError).details as string[]).toHaveLength(2);
  });
});

describe("template variables", () => {
  test("every variable Butler's templates offer is there", () => {
    const vars = buildVars(syntheticTaskEvent({ outcome: "failed" }), { ...opts, qmcUrl: "https://s/qmc", hubUrl: "https://s/hub" });
    const butler = [
      "hostName",
      "user",
      "taskName",
      "taskId",
      "taskCustomProperties",
      "taskTags",
      "taskIsManuallyTriggered",
      "taskIsPartialReload",
      "taskMaxRetries",
      "taskModifiedByUsername",
      "taskModifiedDate",
      "taskSessionTimeout",
      "taskNextExecution",
      "appName",
      "appId",
      "appUrl",
      "appDescription",
      "appFileSize",
      "appLastSuccessfulReload",
      "appLastModifiedDate",
      "appLastModifiedByUserName",
      "appPublishTime",
      "appPublished",
      "appStreamName",
      "appCustomProperties",
      "appTags",
      "appOwnerName",
      "appOwnerUserId",
      "appOwnerUserDirectory",
      "appOwnerEmail",
      "logTimeStamp",
      "logLevel",
      "logMessage",
      "executingNodeName",
      "executionStatusNum",
      "executionStatusText",
      "executionDuration",
      "executionStartTime",
      "executionStopTime",
      "executionDetails",
      "executionDetailsConcatenated",
      "scriptLogSize",
      "scriptLogSizeRows",
      "scriptLogSizeCharacters",
      "scriptLogHead",
      "scriptLogHeadCount",
      "scriptLogTail",
      "scriptLogTailCount",
      "qlikSenseQMC",
      "qlikSenseHub",
      "genericUrls",
    ];
    for (const name of butler) expect(vars).toHaveProperty(name);
    expect(vars.taskNextExecution).toBe("Never");
    expect(vars.appUrl).toBe(`https://s/sense/app/${vars.appId as string}`);
    expect(vars.executionDuration).toEqual({ hours: 0, minutes: 1, seconds: 22 });
    expect(Object.keys(vars.executionStartTime as object)).toEqual([
      "startTimeUTC",
      "startTimeLocal1",
      "startTimeLocal2",
      "startTimeLocal3",
      "startTimeLocal4",
      "startTimeLocal5",
    ]);
  });

  test("script-log head and tail follow the channel's line counts: the first and last lines of the log, as in Butler", () => {
    const e = syntheticTaskEvent({ outcome: "failed" });
    const lines = e.scriptLog!.text!.split("\r\n");
    const vars = buildVars(e, { ...opts, headLines: 1, tailLines: 2 });
    expect(vars.scriptLogHeadCount).toBe(1);
    expect(vars.scriptLogHead).toBe(lines[0]);
    expect(vars.scriptLogTailCount).toBe(2);
    expect(vars.scriptLogTail).toBe(lines.slice(-2).join("\n"));
    // Steward's excerpt: head, the failure with the lines before it, tail — here the whole log, each line once.
    expect(vars.scriptLogExcerpt).toBe(lines.join("\n"));
    expect(vars.scriptLogErrors).toBe("Error: Field 'CustomerKey' not found");
  });

  test("'What went wrong' only in failure messages; a succeeded reload's logged errors stay in the excerpt", () => {
    const renderer = createTemplateRenderer();
    for (const outcome of ["failed", "succeeded"] as const) {
      const e = syntheticTaskEvent({ outcome });
      e.scriptLog = syntheticTaskEvent({ outcome: "failed" }).scriptLog;
      const vars = buildVars(e, opts);
      const text = renderer.render(`email/task.${outcome}.text`, vars);
      expect(text.includes("What went wrong")).toBe(outcome === "failed");
      expect(text).toContain("Error: Field 'CustomerKey' not found");
      expect(JSON.stringify(renderer.renderJson(`slack/task.${outcome}.json`, vars))).toContain("CustomerKey");
    }
  });
});

test("scripts/gen-embedded-templates.ts writes the imports the checked-in list has (its paths follow the house)", async () => {
  const { embeddedTemplatesSource } = await import("../../../../scripts/gen-embedded-templates");
  const imports = (text: string) => text.split("\n").filter((l) => l.startsWith("import t"));
  const checkedIn = readFileSync(join(import.meta.dir, "../../../../src/tell/notify/templates/embedded.ts"), "utf8");
  expect(imports(embeddedTemplatesSource())).toEqual(imports(checkedIn));
});
