// The notification config: every channel type parses with its defaults, and mistakes are reported with the
// file, line:column and YAML path — including references the schema alone cannot see (route → channel).
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";
import { EVENT_KINDS } from "../../../../src/platform/events/types";

function errorOf(yaml: string): string {
  try {
    parseConfigText(yaml, "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("notify config", () => {
  test("an empty file has no channels, no routes and safe defaults", () => {
    const { config } = parseConfigText("", "t.yaml", "/tmp");
    expect(config.channels).toEqual({});
    expect(config.routes).toEqual([]);
    expect(config.notify.testMode).toEqual({ enabled: false, unaffected: [] });
    expect(config.notify.outbox).toEqual({
      concurrency: 4,
      initialBackoff: 5000,
      maxBackoff: 600_000,
      maxAge: 86_400_000,
      maxAttempts: 100,
      keep: 14 * 86_400_000,
      unroutedMaxBytes: 64 * 1024 * 1024,
    });
  });

  test("every channel type with defaults applied", () => {
    const { config } = parseConfigText(
      `
channels:
  mail: { type: email, smtp: { host: smtp.corp.example }, from: steward@corp.example, to: [ops@corp.example] }
  slack: { type: slack, webhookUrl: "https://hooks.slack.com/services/T/B/X" }
  teams: { type: teams, webhookUrl: "https://prod.westeurope.logic.azure.com/workflows/1" }
  hook: { type: webhook, url: "https://example.org/hook" }
  bus: { type: mqtt, url: "mqtt://broker:1883" }
  tsdb: { type: influxdb, url: "http://influx:8086", database: butler }
routes:
  - { on: [task.failed, task.aborted], to: [mail, slack, teams, hook], rateLimit: 5m, group: { window: 2m } }
  - { name: metrics, on: [task.succeeded, task.failed], to: [tsdb, bus] }
`,
      "t.yaml",
      "/tmp",
    );
    const mail = config.channels.mail!;
    expect(mail.type === "email" && mail.smtp.security).toBe("starttls");
    expect(mail.timeout).toBe(30_000);
    expect(mail.scriptLogLines).toEqual({ head: 15, tail: 25 });
    const hook = config.channels.hook!;
    expect(hook.type === "webhook" && hook.method).toBe("POST");
    const bus = config.channels.bus!;
    expect(bus.type === "mqtt" && bus.butlerTopics.taskFailure).toBe("qliksense/task_failure");
    expect(bus.type === "mqtt" && bus.structured.prefix).toBe("steward");
    const tsdb = config.channels.tsdb!;
    expect(tsdb.type === "influxdb" && tsdb.version).toBe(1);
    expect(config.routes[0]!.rateLimit).toBe(300_000);
    expect(config.routes[0]!.group).toEqual({ window: 120_000, sendFirst: false });
  });

  test.each([
    ["unknown channel type", "channels:\n  a: { type: pager, url: x }\n", 't.yaml:2:14 channels.a.type: unknown type "pager"'],
    [
      "misspelt key with a hint",
      "channels:\n  mail:\n    type: email\n    smtp: { host: h }\n    from: a@b.c\n    too: [x@y.z]\n",
      't.yaml:6:5 channels.mail.too: unknown key (did you mean "to"?)',
    ],
    [
      "route to a channel that does not exist",
      'channels:\n  hook: { type: webhook, url: "http://x" }\nroutes:\n  - on: [task.failed]\n    to: [hook, mail]\n',
      't.yaml:5:16 routes[0].to[1]: no channel named "mail" (channels: hook)',
    ],
    [
      "bad duration",
      'channels:\n  hook: { type: webhook, url: "http://x" }\nroutes:\n  - { on: [task.failed], to: [hook], rateLimit: 5 minutes }\n',
      't.yaml:4:49 routes[0].rateLimit: expected a duration like "30s", "5m", "2h" or "1d", got "5 minutes"',
    ],
    [
      "influxdb v2 without org/bucket/token",
      'channels:\n  m: { type: influxdb, version: 2, url: "http://x" }\n',
      "t.yaml:2:6 channels.m.org: required for version 2",
    ],
    [
      "influxdb measurement Steward does not write",
      'channels:\n  m: { type: influxdb, url: "http://x", database: d, measurements: { reload_task_fail: { tags: { kind: r } } } }\n',
      "t.yaml:2:88 channels.m.measurements.reload_task_fail: not a measurement Steward writes; one of reload_task_failed",
    ],
    [
      "test mode without a test address",
      "channels:\n  mail: { type: email, smtp: { host: h }, from: a@b.c }\nnotify:\n  testMode: { enabled: true }\n",
      "t.yaml:4:13 notify.testMode.email: required when test mode is on and an email channel exists",
    ],
    [
      "unknown event kind",
      "routes:\n  - { on: [task.exploded], to: [x] }\n",
      `t.yaml:2:12 routes[0].on[0]: expected ${EVENT_KINDS.map((k) => `"${k}"`).join(" | ")}, got "task.exploded"`,
    ],
    [
      "invalid address",
      "channels:\n  mail: { type: email, smtp: { host: h }, from: a@b.c, to: [not-an-address] }\n",
      't.yaml:2:61 channels.mail.to[0]: expected an e-mail address like ops@corp.example, got "not-an-address"',
    ],
    [
      "duplicate route names",
      'channels:\n  h: { type: webhook, url: "http://x" }\nroutes:\n  - { name: r, on: [task.failed], to: [h] }\n  - { name: r, on: [task.aborted], to: [h] }\n',
      't.yaml:5:13 routes[1].name: route name "r" is used twice',
    ],
    [
      "owner reference without a directory",
      'channels:\n  h: { type: webhook, url: "http://x" }\nroutes:\n  - { on: [task.failed], to: [h], recipients: { appOwner: { exclude: [anna] } } }\n',
      "t.yaml:4:71 routes[0].recipients.appOwner.exclude[0]: expected DIRECTORY\\userId",
    ],
  ])("%s", (_name, yaml, expected) => {
    expect(errorOf(yaml).split("\n")[0]!.startsWith(expected)).toBe(true);
  });
});
