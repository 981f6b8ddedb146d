// The on-call products' pieces without a network: the channels' config (errors name the path; the keys are secrets),
// the alert a Steward event is (one key per incident or cause, trigger or resolve), the Events API v2 and alert API
// bodies within the vendors' limits, and the webhook credentials (PagerDuty's v1 signatures, the shared token).
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { PagerDutyChannelConfig } from "../../../../src/tell/notify/channels/pagerduty/schema";
import type { OpsgenieChannelConfig } from "../../../../src/tell/notify/channels/opsgenie/schema";
import { pagerDutyEvent } from "../../../../src/tell/notify/channels/pagerduty/payload";
import { actionNote, opsgenieRequest } from "../../../../src/tell/notify/channels/opsgenie/payload";
import { alertActionOf, alertKeyOf, parseAlertKey } from "../../../../src/tell/notify/on-call/alert";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { pagerDutySigner, signPagerDuty, tokenOwner } from "../../../../src/tell/on-call";

const KEY = "R0123456789abcdef0123456789abcde";

function channels(yaml: string, env: Record<string, string> = {}) {
  const secrets = createSecretRegistry();
  const { config } = parseConfigText(`channels:\n${yaml}`, "t.yaml", "/tmp", { env, secrets });
  return { channels: config.channels, secrets };
}

function errorOf(yaml: string): string {
  try {
    channels(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("config", () => {
  test("a pagerduty and an opsgenie channel with their defaults; the keys are secrets, literal or from ${env:…}", () => {
    const { channels: c, secrets } = channels(
      `  pd: { type: pagerduty, routingKey: "${KEY}", severity: { task.aborted: critical } }\n  og: { type: opsgenie, apiKey: "\${env:OG_KEY}", webhookToken: "a-long-shared-token-value" }\n`,
      { OG_KEY: "genie-key-from-the-environment" },
    );
    expect(c.pd).toMatchObject({ type: "pagerduty", url: "https://events.pagerduty.com/v2/enqueue", severity: { "task.aborted": "critical" } });
    expect(c.og).toMatchObject({ type: "opsgenie", url: "https://api.opsgenie.com", source: "Qlik Sense Steward", tags: ["qlik-sense"] });
    expect(secrets.mask(`key ${KEY}, genie-key-from-the-environment, a-long-shared-token-value`)).toBe("key [REDACTED], [REDACTED], [REDACTED]");
  });

  test("mistakes name the path", () => {
    expect(errorOf("  pd: { type: pagerduty }\n")).toContain("channels.pd.routingKey");
    expect(errorOf(`  og: { type: opsgenie, apiKey: k, webhookToken: short }\n`)).toContain("channels.og.webhookToken");
    expect(errorOf(`  pd: { type: pagerduty, routingKey: "${KEY}", severity: { task.failed: urgent } }\n`)).toContain("channels.pd.severity.task.failed");
    expect(errorOf(`  og: { type: opsgenie, apiKey: k, priority: { task.failed: P9 } }\n`)).toContain("channels.og.priority.task.failed");
  });
});

/** A failed run as heard from the Scheduler (a sample's own source, "test", is a test alert). */
const failed = (over: Partial<TaskEvent> = {}): TaskEvent => ({
  ...syntheticTaskEvent({ outcome: "failed", taskName: "Load sales", taskId: "t-1", appName: "Sales" }),
  source: "udp",
  ...over,
});
const incident = { id: 42, status: "open" as const, failures: 1, openedAt: "2026-03-01T13:01:22.900Z" };
const cause = {
  id: 7,
  title: "connection errors from DWH",
  status: "open" as const,
  text: "3 tasks, 3 apps affected",
  tasks: ["A", "B", "C"],
  apps: ["a", "b", "c"],
  streams: [],
  counts: { tasks: 3, apps: 3, streams: 0 },
  stillFailing: 3,
};

describe("the alert an event is", () => {
  test("a cause first, then the incident, then the task; a recovery resolves", () => {
    expect(alertKeyOf(failed({ incident, cause }))).toBe("steward-cause-7");
    expect(alertKeyOf(failed({ incident }))).toBe("steward-incident-42");
    expect(alertKeyOf(failed({ incident: undefined }))).toBe("steward-task-t-1");
    // A test alert carries a sample's incident (42): never the real incident of that number.
    expect(alertKeyOf(failed({ source: "test", incident, executionId: "exec-1" }))).toBe("steward-test-exec-1");
    expect(alertActionOf(failed({ incident }))).toBe("trigger");
    expect(alertActionOf({ ...failed({ incident: { ...incident, status: "closed" } }), kind: "task.recovered", outcome: "succeeded" })).toBe("resolve");
    expect(alertActionOf(failed({ cause: { ...cause, status: "closed" } }))).toBe("resolve");
    const stopped = syntheticServiceEvent({ state: "stopped", host: "SENSE2", service: "QlikSenseEngineService" });
    const started = syntheticServiceEvent({ state: "started", host: "SENSE2", service: "QlikSenseEngineService" });
    expect(alertKeyOf(stopped)).toBe(alertKeyOf(started));
    expect([alertActionOf(stopped), alertActionOf(started)]).toEqual(["trigger", "resolve"]);
  });

  test("only Steward's own keys are read back from a webhook", () => {
    expect(parseAlertKey("steward-cause-7")).toEqual({ cause: 7 });
    expect(parseAlertKey("steward-incident-42")).toEqual({ incident: 42 });
    for (const k of ["steward-task-t-1", "steward-incident-0", "steward-incident-1e3", "other-incident-4", "steward-incident-42 "])
      expect(parseAlertKey(k)).toBeUndefined();
  });
});

describe("request bodies", () => {
  const pd = channels(`  pd: { type: pagerduty, routingKey: "${KEY}", severity: { task.aborted: info } }\n`).channels.pd as PagerDutyChannelConfig;
  const og = channels("  og: { type: opsgenie, apiKey: k }\n").channels.og as OpsgenieChannelConfig;

  test("PagerDuty: a trigger carries summary, severity by kind, details and links within the limits; acknowledge and resolve only the key", () => {
    const e = failed({ incident, task: { ...failed().task, name: "x".repeat(2000) } });
    const t = pagerDutyEvent(pd, e, { action: "trigger", key: "steward-incident-42" }, "https://steward.corp.example/");
    expect(t.payload!.summary.length).toBe(1024);
    expect(t.payload!.severity).toBe("critical");
    expect(t.links![0]).toEqual({ href: "https://steward.corp.example/ui/tasks/t-1", text: "The task and its runs on Steward's dashboard" });
    const aborted = pagerDutyEvent(pd, { ...e, kind: "task.aborted", outcome: "aborted" }, { action: "trigger", key: "k" }, undefined);
    expect(aborted.payload!.severity).toBe("info");
    expect(pagerDutyEvent(pd, e, { action: "resolve", key: "steward-incident-42" }, undefined)).toEqual({
      routing_key: KEY,
      event_action: "resolve",
      dedup_key: "steward-incident-42",
    });
  });

  test("PagerDuty: the approval links of the message go first in links; acknowledge and snooze are left to PagerDuty", () => {
    const e = failed({ incident });
    const actionLinks = [
      { action: "ack", text: "Acknowledge", url: "https://steward.corp.example/act/incident/42?a=ack" },
      { action: "snooze", text: "Snooze", url: "https://steward.corp.example/act/incident/42?a=snooze" },
      { action: "reload", text: "Reload the app", url: "https://steward.corp.example/act/incident/42?a=reload" },
      { action: "chain", text: "Restart the chain", url: "https://steward.corp.example/act/incident/42?a=chain" },
    ];
    const t = pagerDutyEvent(pd, e, { action: "trigger", key: "steward-incident-42" }, "https://steward.corp.example/", { actionLinks });
    expect(t.links!.slice(0, 3)).toEqual([
      { href: "https://steward.corp.example/act/incident/42?a=reload", text: "Reload the app (Steward asks you to confirm)" },
      { href: "https://steward.corp.example/act/incident/42?a=chain", text: "Restart the chain (Steward asks you to confirm)" },
      { href: "https://steward.corp.example/ui/tasks/t-1", text: "The task and its runs on Steward's dashboard" },
    ]);
  });

  test("Opsgenie: create within the alert API's limits; acknowledge and close by alias", () => {
    const e = failed({ incident, cause });
    const c = opsgenieRequest(og, e, { action: "trigger", key: "steward-cause-7" }, undefined);
    expect(c.path).toBe("/v2/alerts");
    expect(String(c.body.message).length).toBeLessThanOrEqual(130);
    expect(c.body).toMatchObject({ alias: "steward-cause-7", priority: "P1", tags: ["qlik-sense", "task.failed"] });
    expect((c.body.details as Record<string, string>)["Affected tasks"]).toBe("A, B, C");
    const a = opsgenieRequest(og, e, { action: "acknowledge", key: "steward-cause-7" }, undefined, "Acknowledged in Steward by anna");
    expect(a).toEqual({
      path: "/v2/alerts/steward-cause-7/acknowledge?identifierType=alias",
      body: { source: "Qlik Sense Steward", note: "Acknowledged in Steward by anna" },
    });
    expect(opsgenieRequest(og, e, { action: "resolve", key: "steward-cause-7" }, undefined).path).toBe("/v2/alerts/steward-cause-7/close?identifierType=alias");
  });

  test("Opsgenie: a note on a cause's alert names the task whose message tells the action; on the task's own alert it need not", () => {
    const vars = { remediationLines: ["Retried by anna (from REST) at 02:20 UTC: Qlik started the task; the retry succeeded.", "B: Retried by anna …"] };
    // Issue 101's twelve loads under one source's cause: a note saying only "Retried by …" does not say which load.
    expect(actionNote(vars, failed({ incident, cause }))).toBe(`What Steward did (Load sales):\n${vars.remediationLines.join("\n")}`);
    expect(actionNote(vars, failed({ incident }))).toBe(`What Steward did:\n${vars.remediationLines.join("\n")}`);
    const close = opsgenieRequest(og, failed({ incident, cause }), { action: "resolve", key: "steward-cause-7" }, undefined, undefined, vars);
    expect(close.body.note).toContain("What Steward did (Load sales):\nRetried by anna");
    expect(actionNote({}, failed({ incident, cause }))).toBeUndefined();
  });
});

describe("webhook credentials", () => {
  const body = new TextEncoder().encode('{"event":{"event_type":"incident.acknowledged"}}');
  test("PagerDuty: any one of several v1 signatures, made with any configured secret, names that secret", () => {
    const good = signPagerDuty(body, "second-secret");
    expect(pagerDutySigner(body, good, ["first-secret", "second-secret"])).toBe(1);
    expect(pagerDutySigner(body, `v1=${"ab".repeat(32)},${good}`, ["second-secret"])).toBe(0);
    expect(pagerDutySigner(body, good, ["first-secret"])).toBe(-1);
    expect(pagerDutySigner(body, undefined, ["second-secret"])).toBe(-1);
    expect(pagerDutySigner(body, good.replace("v1=", "v0="), ["second-secret"])).toBe(-1);
    expect(pagerDutySigner(body, "v1=abc", ["second-secret"])).toBe(-1);
    // One changed byte of the body breaks it.
    const changed = new TextEncoder().encode('{"event":{"event_type":"incident.acknowledgeD"}}');
    expect(pagerDutySigner(changed, good, ["second-secret"])).toBe(-1);
  });

  test("the shared token names its channel; anything else is no one", () => {
    expect(tokenOwner("token-b-long-enough", ["token-a-long-enough", "token-b-long-enough"])).toBe(1);
    expect(tokenOwner("token-b", ["token-a-long-enough", "token-b-long-enough"])).toBe(-1);
    expect(tokenOwner(undefined, ["token-a-long-enough"])).toBe(-1);
  });
});
