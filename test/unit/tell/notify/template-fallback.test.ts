// The plain form of an alert whose template failed: it stays within the channel's limit however much the event
// carries, the channel limits themselves, the log said once per template a minute, and the doctor's line.
import { describe, expect, test } from "bun:test";
import pino from "pino";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { memoryChannelState } from "../../../../src/tell/notify/channel-state";
import { slackChannel } from "../../../../src/tell/notify/channels/slack";
import { teamsChannel } from "../../../../src/tell/notify/channels/teams";
import { webhookChannel } from "../../../../src/tell/notify/channels/webhook";
import { FALLBACK_LOG_EVERY_MS, createFallbackRecorder } from "../../../../src/tell/notify/fallback/record";
import { MAIL_PART_MAX_BYTES, mailProblem, slackProblem, teamsProblem, TEAMS_MAX_BYTES } from "../../../../src/tell/notify/fallback/limits";
import { createNotifyMetrics } from "../../../../src/tell/notify/metrics";
import { buildNotification } from "../../../../src/tell/notify/notification";
import type { DeliveryRow, OutboxStore } from "../../../../src/tell/notify/outbox-store";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";
import type { ChannelDeps } from "../../../../src/tell/notify/types";
import { templateFallbackProbe } from "../../../../src/show/doctor/template-probe";
import { createTempDir } from "../../../helpers/temp-dir";
import { parseConfigText } from "../../../../src/composition/config";
import { planContextFor, previewEvent } from "../../../../src/tell/notify/preview";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const opts = { headLines: 15, tailLines: 25, links: [] };

/** A renderer whose task.failed template of every chat channel throws. */
function brokenTemplates() {
  const dir = createTempDir("steward-fallback-unit-");
  for (const ch of ["slack", "teams", "webhook"]) {
    mkdirSync(join(dir.path, ch), { recursive: true });
    writeFileSync(join(dir.path, ch, "task.failed.json.eta"), "<%~ json({ name: it.nothing.here }) %>");
  }
  return { templates: createTemplateRenderer([dir.path]), remove: dir.remove };
}

/** A failed task whose every part is as big as it gets: a long name, hundreds of long failing lines. */
function hugeNotification() {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: `Finance ${"ü".repeat(3_000)}`, appName: "Ä<b>&".repeat(500) });
  const lines = Array.from({ length: 400 }, (_, i) => `20260301T140122.900+0100 Error: ${"*_[x](y) ü ".repeat(300)} ${i}`);
  e.scriptLog = { head: [], tail: lines, totalLines: 400, sizeBytes: 1_000_000, failureLines: lines.map((_, i) => i + 1), failureCount: 400 };
  return buildNotification({ deliveryId: 1, key: "k", channel: "c", route: "r", events: [e], recipient: "", target: null, attempt: 1 }, opts);
}

const depsWith = (templates: ChannelDeps["templates"]): ChannelDeps => ({
  name: "c",
  log: pino({ level: "silent" }),
  clock: createSteppedClock(0),
  templates,
  baseDir: "/tmp",
  state: memoryChannelState(),
});

describe("the plain form", () => {
  test("stays within Slack's and Teams' limits however much the event carries, and says why it is sent", () => {
    const t = brokenTemplates();
    try {
      const n = hugeNotification();
      const deps = depsWith(t.templates);
      const slack = (slackChannel.preview({ type: "slack", webhookUrl: "http://127.0.0.1:9/x" } as never, n, deps) as { body: { text: string } }).body;
      expect(slackProblem(slack)).toBeUndefined();
      expect(slack.text.length).toBeLessThanOrEqual(3_500);
      expect(slack.text).toContain("Task: Finance");
      expect(slack.text).toContain("line 1: Error:");
      expect(slack.text).toMatch(/… \d+ more/);
      expect(slack.text).toContain("&lt;b&gt;&amp;");
      expect(slack.text).toContain("template slack/task.failed.json failed (line 1: undefined is not an object (evaluating 'it.nothing.here'))");

      const teams = (teamsChannel.preview({ type: "teams", webhookUrl: "http://127.0.0.1:9/x" } as never, n, deps) as { body: unknown }).body;
      expect(teamsProblem(teams)).toBeUndefined();
      expect(Buffer.byteLength(JSON.stringify(teams))).toBeLessThan(TEAMS_MAX_BYTES);
      expect(JSON.stringify(teams)).toContain("template teams/task.failed.json failed");

      const hook = (
        webhookChannel.preview({ type: "webhook", url: "http://127.0.0.1:9/x", method: "POST", headers: {} } as never, n, deps) as {
          body: { text: string; scriptLogErrorLines: string[] };
        }
      ).body;
      expect(hook.text.length).toBeLessThanOrEqual(20_000);
      expect(hook.scriptLogErrorLines.length).toBe(12);
    } finally {
      t.remove();
    }
  });

  test("a strict render (config check) throws the template's error instead", () => {
    const t = brokenTemplates();
    try {
      const deps = { ...depsWith(t.templates), strictTemplates: true };
      expect(() => slackChannel.preview({ type: "slack", webhookUrl: "http://127.0.0.1:9/x" } as never, hugeNotification(), deps)).toThrow(
        /template slack\/task\.failed\.json \(.*task\.failed\.json\.eta\) failed/,
      );
    } finally {
      t.remove();
    }
  });
});

describe("a digest and a preview", () => {
  test("a digest's plain form lists each of its alerts", () => {
    const dir = createTempDir("steward-fallback-digest-");
    try {
      mkdirSync(join(dir.path, "slack"), { recursive: true });
      writeFileSync(join(dir.path, "slack", "digest.json.eta"), "<% throw new Error('no digest today') %>");
      const events = ["Load A", "Load B", "Load C"].map((taskName) => syntheticTaskEvent({ outcome: "failed", taskName }));
      const n = buildNotification(
        { deliveryId: 1, key: "k", channel: "c", route: "night", events, recipient: "", target: null, attempt: 1, groupWindowMs: 60_000 },
        opts,
      );
      const deps = depsWith(createTemplateRenderer([dir.path]));
      const text = (slackChannel.preview({ type: "slack", webhookUrl: "http://127.0.0.1:9/x" } as never, n, deps) as { body: { text: string } }).body.text;
      expect(text).toStartWith("3 alerts (route night)");
      for (const name of ["Load A", "Load B", "Load C"]) expect(text).toContain(`Reload task failed: ${name}`);
      expect(text).toContain("template slack/digest.json failed (line 1: no digest today)");
    } finally {
      dir.remove();
    }
  });

  test("the alert preview shows the template's error and the plain form that would be sent", async () => {
    const t = brokenTemplates();
    try {
      const { config } = parseConfigText(
        'channels:\n  chat: { type: slack, webhookUrl: "http://127.0.0.1:9/x" }\nroutes:\n  - { on: [task.failed], to: [chat] }\n',
        "t.yaml",
        "/tmp",
      );
      const event = syntheticTaskEvent({ outcome: "failed", taskName: "Finance" });
      const p = await previewEvent(config, planContextFor(config), () => depsWith(t.templates), event, undefined, Date.now());
      const d = p.deliveries[0]!;
      expect(d.renderError).toMatch(/^template slack\/task\.failed\.json \(.*\) failed: /);
      expect((d.rendered as { body: { text: string } }).body.text).toContain("Reload task failed: Finance");
    } finally {
      t.remove();
    }
  });
});

describe("channel limits", () => {
  test("Slack: blocks, header, section text and fields", () => {
    const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
    expect(slackProblem({ text: "ok", blocks: [section("x".repeat(3_000))] })).toBeUndefined();
    expect(slackProblem({ blocks: [section("x".repeat(3_001))] })).toBe("block 1 (section) has 3001 characters; Slack takes at most 3000");
    expect(slackProblem({ blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] })).toContain("Slack takes at most 150");
    const fields = Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" }));
    expect(slackProblem({ blocks: [{ type: "section", fields }] })).toBe("block 1 (section) has 11 fields; Slack takes at most 10");
    expect(slackProblem({ blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })).toBe("51 blocks; Slack takes at most 50");
  });

  test("mail: a subject past a header line, a part past 10 MB; each names its part", () => {
    const ok = { subject: "s".repeat(998), html: "<p>x</p>", text: "x" };
    expect(mailProblem(ok)).toBeUndefined();
    expect(mailProblem({ ...ok, subject: "s".repeat(999) })).toEqual({ part: "subject", reason: "the subject has 999 characters; a mail takes at most 998" });
    expect(mailProblem({ ...ok, text: "x".repeat(MAIL_PART_MAX_BYTES + 1) })?.part).toBe("text");
  });

  test("Teams: the message's bytes, not its characters", () => {
    expect(teamsProblem({ text: "a".repeat(20_000) })).toBeUndefined();
    expect(teamsProblem({ text: "ü".repeat(20_000) })).toMatch(/^the message is \d+ bytes; Teams takes at most 28000$/);
  });
});

describe("what Steward says about it", () => {
  test("the counter counts every one, the log says it once per template a minute", () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const clock = createSteppedClock(1_000_000);
    const registry = createMetricsRegistry();
    const metrics = createNotifyMetrics(registry, { counts: async () => [] } as unknown as OutboxStore);
    const record = createFallbackRecorder({ log, clock, metrics });
    const row = { id: 7, channel: "ops-slack" } as DeliveryRow;
    const broken = { template: "slack/task.failed.json", origin: "/etc/steward/t/slack/task.failed.json.eta", reason: "line 1: boom" };
    const other = { ...broken, template: "slack/task.aborted.json", origin: "/etc/steward/t/slack/task.aborted.json.eta" };
    record(row, broken);
    record(row, broken);
    record(row, other);
    clock.advanceTo(1_000_000 + FALLBACK_LOG_EVERY_MS - 1);
    record(row, broken);
    clock.advanceTo(1_000_000 + FALLBACK_LOG_EVERY_MS);
    record(row, broken);
    expect(lines.map((l) => [l.template, l.moreSinceLastLog])).toEqual([
      ["slack/task.failed.json", 0],
      ["slack/task.aborted.json", 0],
      ["slack/task.failed.json", 2],
    ]);
    expect(lines[0]).toMatchObject({ level: 40, channel: "ops-slack", file: broken.origin, reason: "line 1: boom", deliveryId: 7 });
    expect(registry.render()).toContain('steward_notify_template_fallbacks_total{channel="ops-slack",template="slack/task.failed.json"} 4');
  });

  test("the doctor passes when no alert was sent in the plain form, and lists them when some were", async () => {
    const now = 100 * 3_600_000;
    const seen: number[] = [];
    const none = templateFallbackProbe({ recentFallbacks: async (since) => (seen.push(since), []), now: () => now, formatTime: String });
    expect(await none.run()).toEqual({ ok: true, detail: "no alert was sent in the plain form in the last 24 hours" });
    expect(seen).toEqual([now - 24 * 3_600_000]);
    const some = templateFallbackProbe({
      recentFallbacks: async () => [
        { channel: "mail", reason: "sent in the plain form: template email/task.failed.html failed (line 3: x)", count: 2, lastAt: 5 },
      ],
      now: () => now,
      formatTime: (ms) => `t${ms}`,
    });
    const line = await some.run();
    expect(line.ok).toBe(false);
    expect(line.detail).toBe(
      "2 alerts sent in the plain form in the last 24 hours:\n        mail: template email/task.failed.html failed (line 3: x), 2 alerts, last t5",
    );
  });
});
