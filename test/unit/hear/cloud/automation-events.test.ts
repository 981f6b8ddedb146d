// What a Qlik Automate run's error becomes (Qlik's array, each element naming its block; a string or one object), and the plain form of an
// automation alert when the channel's template fails: the automation, its failing step and the error still show.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { automationRecoveredEvent, automationRunEvent, automationStateEvent } from "../../../../src/hear/cloud/automation-events";
import { runError } from "../../../../src/hear/cloud/run-error";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { memoryChannelState } from "../../../../src/tell/notify/channel-state";
import { slackChannel } from "../../../../src/tell/notify/channels/slack";
import { buildNotification } from "../../../../src/tell/notify/notification";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";
import { eventFacts } from "../../../../src/tell/silences/matcher";
import { createTempDir } from "../../../helpers/temp-dir";

const ctx = {
  tenant: { name: "corp-eu", url: "https://corp.eu.qlikcloud.com" },
  automation: { id: "auto1", name: "Nightly CRM extract", ownerId: "u1", runMode: "scheduled", state: "available", updatedAt: "2026-11-24T09:12:40.000Z" },
  owner: { name: "Anna Svensson", email: "anna.svensson@corp.example" },
  nowMs: Date.parse("2026-11-24T02:04:00Z"),
};

describe("a run's error", () => {
  test("a string is the message; an object gives its message and the block it names; one without a message is kept as it came", () => {
    expect(runError("Token expired")).toEqual({ error: "Token expired" });
    expect(runError({ block: "Write to Snowflake", message: "HTTP 403" })).toEqual({ error: "HTTP 403", step: "Write to Snowflake" });
    expect(runError({ blockLabel: "Upsert Record", detail: "2 items skipped" })).toEqual({ error: "2 items skipped", step: "Upsert Record" });
    expect(runError({ code: 42 })).toEqual({ error: '{"code":42}' });
    expect(runError(null)).toEqual({});
    expect(runError("  ")).toEqual({});
  });
});

describe("the automation events", () => {
  test("a failed run names the automation, step, error and owner; a stopped one says it was stopped", () => {
    const e = automationRunEvent(ctx, { id: "run1", status: "failed", startTime: "2026-11-24T02:00:00.000Z", step: "Write to Snowflake", error: "HTTP 403" });
    expect(e.kind).toBe("cloud.automation.failed");
    expect(e.id).toBe("cloud.automation.failed:corp-eu:run1");
    expect(e.title).toBe("Qlik Automate: Nightly CRM extract failed at Write to Snowflake");
    expect(e.summary).toContain('failed at step "Write to Snowflake": HTTP 403');
    expect(e.facts.slice(0, 4).map((f) => f.name)).toEqual(["automation", "step", "error", "status"]);
    expect(e.data).toMatchObject({ owner: "Anna Svensson", link: "https://corp.eu.qlikcloud.com/automations/auto1/editor" });
    const stopped = automationRunEvent(ctx, { id: "run2", status: "stopped" });
    expect(stopped.title).toBe("Qlik Automate: Nightly CRM extract was stopped");
    expect(automationRunEvent(ctx, { id: "run3", status: "finished with warnings" }).kind).toBe("cloud.automation.warning");
    // A silence of Qlik Cloud (source: cloud) holds it; one of on-premise does not.
    expect(eventFacts(e).cloud).toBe(true);
  });

  test("the run that finishes after a failure says which run failed", () => {
    const e = automationRecoveredEvent(ctx, { id: "run9", status: "finished", startTime: "2026-11-25T02:00:00.000Z" }, "run1");
    expect(e.kind).toBe("cloud.automation.recovered");
    expect(e.id).toBe("cloud.automation.recovered:corp-eu:run9");
    expect(e.title).toBe("Qlik Automate: Nightly CRM extract runs again");
    expect(e.data).toMatchObject({ failedRunId: "run1", runId: "run9", automationId: "auto1" });
  });

  test("disabled, then enabled again with since when it was disabled", () => {
    const off = automationStateEvent({ ...ctx, automation: { ...ctx.automation, state: "disabled" } }, true, undefined);
    expect(off.kind).toBe("cloud.automation.disabled");
    expect(off.title).toBe("Qlik Automate: Nightly CRM extract is disabled");
    const on = automationStateEvent(ctx, false, "2026-11-24T09:12:40.000Z");
    expect(on.kind).toBe("cloud.automation.enabled");
    expect(on.data.disabledSince).toBe("2026-11-24T09:12:40.000Z");
  });

  test("its plain form, when the Slack template fails, still carries the automation, the step and the error", () => {
    const dir = createTempDir("steward-automation-plain-");
    try {
      mkdirSync(join(dir.path, "slack"), { recursive: true });
      writeFileSync(join(dir.path, "slack", "cloud.automation.failed.json.eta"), "<%~ json({ name: it.nothing.here }) %>");
      const e = automationRunEvent(ctx, { id: "run1", status: "failed", step: "Write to Snowflake", error: "HTTP 403: token expired" });
      const n = buildNotification(
        { deliveryId: 1, key: "k", channel: "c", route: "r", events: [e], recipient: "", target: null, attempt: 1 },
        {
          headLines: 15,
          tailLines: 25,
          links: [],
        },
      );
      const deps = {
        name: "c",
        log: pino({ level: "silent" }),
        clock: createSteppedClock(0),
        templates: createTemplateRenderer([dir.path]),
        baseDir: "/tmp",
        state: memoryChannelState(),
      };
      const text = (slackChannel.preview({ type: "slack", webhookUrl: "http://127.0.0.1:9/x" } as never, n, deps) as { body: { text: string } }).body.text;
      expect(text).toContain("Qlik Automate: Nightly CRM extract failed at Write to Snowflake");
      expect(text).toContain("automation: Nightly CRM extract");
      expect(text).toContain("step: Write to Snowflake");
      expect(text).toContain("error: HTTP 403: token expired");
      expect(text).toContain("template slack/cloud.automation.failed.json failed");
    } finally {
      dir.remove();
    }
  });
});

describe("a run's error as Qlik documents it: an array", () => {
  test("every element is said, each with its block when the run touched several; the step is the last block named", () => {
    expect(runError([{ blockLabel: "Write to Snowflake", message: "HTTP 403" }])).toEqual({ error: "HTTP 403", step: "Write to Snowflake" });
    expect(
      runError([
        { blockLabel: "Read CRM", message: "3 rows skipped" },
        { block: { label: "Write to Snowflake" }, detail: "HTTP 403" },
      ]),
    ).toEqual({ error: "Read CRM: 3 rows skipped; Write to Snowflake: HTTP 403", step: "Write to Snowflake" });
    // An element with no message Steward knows is kept as it came, never dropped.
    expect(runError([{ code: "E42" }]).error).toBe('{"code":"E42"}');
    expect(runError([])).toEqual({});
    expect(runError(null)).toEqual({});
    expect(runError("plain text")).toEqual({ error: "plain text" });
  });
});
