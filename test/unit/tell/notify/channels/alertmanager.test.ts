// The alertmanager channel's alerts as built from each kind of event (identity, state, labels, annotations) and its
// config block's checks: a static label may not take one of Steward's own names.
import { describe, expect, test } from "bun:test";
import { ChannelConfigSchema } from "../../../../../src/tell/notify/config";
import { alertName, stewardAlert } from "../../../../../src/tell/notify/channels/alertmanager/alert";
import type { AlertmanagerChannelConfig } from "../../../../../src/tell/notify/channels/alertmanager/schema";
import { syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../../src/tell/notify/samples";

const cfg = ChannelConfigSchema.parse({ type: "alertmanager", urls: ["http://127.0.0.1:9093"], labels: { env: "prod" } }) as AlertmanagerChannelConfig;
const NOW = Date.parse("2026-11-26T08:00:00Z");

describe("alertmanager alerts", () => {
  test("names follow Alertmanager's custom: QlikTaskFailed, QlikServiceStopped, QlikAppFreshnessBreached", () => {
    expect(["task.failed", "service.stopped", "app.freshness_breached"].map(alertName)).toEqual([
      "QlikTaskFailed",
      "QlikServiceStopped",
      "QlikAppFreshnessBreached",
    ]);
  });

  test("a failed task without an incident is keyed by its task and fires with the failing lines", () => {
    const e = syntheticTaskEvent({ outcome: "failed", taskId: "t-1", taskName: "Nightly sales", appName: "Sales" });
    delete e.incident; // incidents off
    const a = stewardAlert(cfg, e, { now: NOW, publicUrl: "https://steward.corp.example/" });
    expect(a.state).toBe("firing");
    expect(a.key).toBe("t-1");
    expect(a.alert.labels).toMatchObject({
      alertname: "QlikTaskFailed",
      task: "Nightly sales",
      app: "Sales",
      severity: "critical",
      env: "prod",
      steward_incident: "t-1",
    });
    expect(a.alert.endsAt).toBeUndefined();
    expect(a.alert.generatorURL).toBe("https://steward.corp.example/ui/tasks/t-1");
    expect(a.alert.annotations.description).toContain("CustomerKey");
  });

  test("an aborted task is a warning; a task incident's key is the incident's", () => {
    const e = {
      ...syntheticTaskEvent({ outcome: "aborted" }),
      incident: { id: 42, status: "open" as const, failures: 1, openedAt: "2026-11-26T07:00:00.000Z" },
    };
    const a = stewardAlert(cfg, e, { now: NOW });
    expect([a.key, a.alert.labels.severity, a.alert.startsAt, a.ref]).toEqual(["incident:42", "warning", "2026-11-26T07:00:00.000Z", { incident: 42 }]);
    expect(a.alert.generatorURL).toBeUndefined();
  });

  test("a success resolves with endsAt now; a warning is news sent once", () => {
    const ok = stewardAlert(cfg, syntheticTaskEvent({ outcome: "succeeded" }), { now: NOW });
    expect([ok.state, ok.alert.endsAt]).toEqual(["resolved", "2026-11-26T08:00:00.000Z"]);
    expect(stewardAlert(cfg, syntheticTaskEvent({ outcome: "succeeded", kind: "task.warning" }), { now: NOW }).state).toBe("once");
  });

  test("a stopped service fires with its service label and the same key as its start, which resolves it", () => {
    const stopped = stewardAlert(cfg, syntheticServiceEvent({ state: "stopped", host: "SENSE2", service: "QlikSenseEngineService" }), { now: NOW });
    const started = stewardAlert(cfg, syntheticServiceEvent({ state: "started", host: "SENSE2", service: "QlikSenseEngineService" }), { now: NOW });
    expect(stopped.alert.labels).toMatchObject({ alertname: "QlikServiceStopped", service: "QlikSenseEngineService", node: "SENSE2", severity: "critical" });
    expect([stopped.state, started.state]).toEqual(["firing", "resolved"]);
    expect(started.key).toBe(stopped.key);
  });

  test("a site event is sent once; a watchdog condition fires until its on_track closes it", () => {
    expect(stewardAlert(cfg, syntheticSiteEvent("license.expiring"), { now: NOW }).state).toBe("once");
    const missed = stewardAlert(cfg, syntheticWatchdogEvent("task.missed"), { now: NOW });
    const onTrack = stewardAlert(cfg, syntheticWatchdogEvent("task.on_track"), { now: NOW });
    expect([missed.state, missed.alert.labels.severity, onTrack.state]).toEqual(["firing", "warning", "resolved"]);
    expect(missed.alert.labels.task).toBe("Reload Sales dashboard");
  });

  test("a cause's page is the cause's one alert, ended by its closed page", () => {
    const cause = {
      id: 7,
      title: "connection errors from DWH",
      status: "open" as const,
      text: "3 tasks affected",
      tasks: [],
      apps: [],
      streams: [],
      counts: { tasks: 3, apps: 0, streams: 0 },
      stillFailing: 3,
      url: "https://s/ui/causes#cause-7",
    };
    const open = stewardAlert(cfg, { ...syntheticTaskEvent({ outcome: "failed" }), cause }, { now: NOW });
    const closed = stewardAlert(
      cfg,
      { ...syntheticTaskEvent({ kind: "task.recovered" }), cause: { ...cause, status: "closed", stillFailing: 0 } },
      { now: NOW },
    );
    expect([open.key, open.state, open.alert.labels.cause, open.alert.annotations.summary, open.alert.generatorURL]).toEqual([
      "cause:7",
      "firing",
      "7",
      "connection errors from DWH",
      "https://s/ui/causes#cause-7",
    ]);
    expect([closed.key, closed.state]).toEqual(["cause:7", "resolved"]);
  });
});

describe("alertmanager config", () => {
  const parse = (block: Record<string, unknown>) => ChannelConfigSchema.safeParse({ type: "alertmanager", urls: ["http://127.0.0.1:9093"], ...block });

  test("defaults: re-sent every minute, severities critical and warning", () => {
    expect([cfg.resendEvery, cfg.severity.failed, cfg.severity.aborted]).toEqual([60_000, "critical", "warning"]);
  });

  test("a static label named like one of Steward's is refused at its path", () => {
    const r = parse({ labels: { severity: "page" } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["labels.severity", "Steward sets the label severity itself; choose another name"],
    ]);
  });

  test("basic auth and an Authorization header together are refused; no URL is refused", () => {
    const both = parse({ basicAuth: { username: "steward", password: "secret" }, headers: { authorization: "Bearer t" } });
    expect(both.error!.issues[0]!.path).toEqual(["headers", "authorization"]);
    expect(parse({ urls: [] }).error!.issues[0]!.path).toEqual(["urls"]);
  });
});
