// The alertmanager channel against a real Prometheus Alertmanager (Debian's prometheus-alertmanager on a free loopback
// port, resolve_timeout 5s, its notifications to a local webhook receiver): a failed reload's incident is one firing
// alert with Steward's labels, kept firing past resolve_timeout by the re-sender, ended by Steward when its cause
// closes or when it is resolved by hand in Steward; a silence made in Alertmanager suppresses the alert there while
// Steward still records the incident and the delivery. A node's cause (no task incident) resolved by hand ends too.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, type GettableAlert, silenceInAlertmanager, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "./receivers";
import { failedRun } from "../../../helpers/failed-runs";
import { wallLimit } from "../../../helpers/time-limit";

const RESOLVE_TIMEOUT_S = 5;
/** The re-sender's period: 4 s of margin to resolve_timeout. */
const RESEND_S = 1;
const HOST = "qlik2.corp.example";

/** What Alertmanager's webhook receiver gets: a group of alerts, firing or resolved. */
interface WebhookMessage {
  status: "firing" | "resolved";
  alerts: Array<{ status: "firing" | "resolved"; labels: Record<string, string>; annotations: Record<string, string>; endsAt: string }>;
}

describe("alertmanager channel against Prometheus Alertmanager", () => {
  let am: TestService;
  let hook: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    hook = startHttpReceiver();
    am = await startAlertmanager({
      resolveTimeout: `${RESOLVE_TIMEOUT_S}s`,
      body: `route:
  receiver: oncall
  group_by: [steward_incident]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: oncall
    webhook_configs:
      - url: "${hook.url}/am"
        send_resolved: true
`,
    });
    t = createTestApp(`
http: { port: 0, publicUrl: "https://steward.corp.example" }
channels:
  am: { type: alertmanager, urls: ["${am.url}"], labels: { env: test, team: qlik }, resendEvery: ${RESEND_S}s }
routes:
  - { on: [task.failed, task.recovered, service.stopped], to: [am] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
    await t.app.start();
  }, wallLimit(60_000));
  afterAll(async () => {
    await t?.close();
    await am?.stop();
    await hook?.stop();
  });

  /** As heard from the Scheduler: the run opens (or closes) its task's incident on its way to the bus. */
  const emit = async (e: TaskEvent) => {
    for (const out of await t.app.incidents!.annotate(e)) await t.app.bus.emit(out.kind, out);
  };
  const alertOf = async (task: string): Promise<GettableAlert | undefined> => (await alertmanagerAlerts(am)).find((a) => a.labels.task === task);
  const webhookMessages = () => hook.requests.filter((r) => r.path === "/am").map((r) => JSON.parse(r.body) as WebhookMessage);

  test("a failed reload's incident is one firing alert with Steward's labels and annotations", async () => {
    await emit(failedRun(1, { source: "DWH", host: HOST }));
    const a = await waitFor(() => alertOf("Load 1"), { what: "the alert in Alertmanager" });
    expect(a.status.state).toBe("active");
    const cause = a.labels.cause!;
    expect(cause).toMatch(/^\d+$/);
    expect(a.labels).toEqual({
      alertname: "QlikTaskFailed",
      kind: "task.failed",
      task: "Load 1",
      app: "App 1",
      node: "qlik2.corp.example",
      cause,
      steward_incident: `cause:${cause}`,
      severity: "critical",
      env: "test",
      team: "qlik",
    });
    expect(a.annotations.summary).toBe("connection errors from DWH");
    expect(a.annotations.description).toContain("Error: Connection refused");
    expect(a.annotations.dashboard).toBe(`https://steward.corp.example/ui/causes#cause-${cause}`);
    expect(a.generatorURL).toBe(a.annotations.dashboard);
    // Alertmanager routed it to the on-call receiver.
    await waitFor(() => webhookMessages().some((m) => m.status === "firing" && m.alerts.some((x) => x.labels.task === "Load 1")), {
      what: "Alertmanager's notification of it",
    });
  });

  test(
    `re-sent while open, it stays firing past Alertmanager's resolve_timeout (${RESOLVE_TIMEOUT_S}s)`,
    async () => {
      const first = (await alertOf("Load 1"))!;
      // The alert was first posted before this sleep: past resolve_timeout after it, Alertmanager has resolved it unless
      // it was posted again (it drops out of the active list exactly then, so one second past is margin enough).
      await Bun.sleep((RESOLVE_TIMEOUT_S + 1) * 1_000);
      const later = await alertOf("Load 1");
      expect(later?.status.state).toBe("active");
      expect(later!.fingerprint).toBe(first.fingerprint);
      expect(Date.parse(later!.endsAt)).toBeGreaterThan(Date.now());
      expect(webhookMessages().some((m) => m.status === "resolved")).toBe(false);
    },
    wallLimit(30_000),
  );

  test("a silence made in Alertmanager suppresses the alert there; Steward still records the incident and the delivery", async () => {
    const silence = await silenceInAlertmanager(am, { task: "Load 2" });
    const e = failedRun(2, { source: "ERP", host: HOST });
    await emit(e);
    const a = await waitFor(async () => ((await alertOf("Load 2"))?.status.state === "suppressed" ? alertOf("Load 2") : undefined), {
      what: "the alert suppressed by the silence",
    });
    expect(a!.status.silencedBy).toEqual([silence]);
    const { incidents } = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: IncidentView[] };
    expect(incidents.map((i) => i.title)).toContain("Load 2");
    await waitFor(async () => (await t.app.notify.list({ eventId: e.id, limit: 10 })).some((d) => d.channel === "am" && d.status === "delivered"), {
      what: "the delivery recorded as sent",
    });
    // Alertmanager notified nobody of it.
    await Bun.sleep(1_500);
    expect(webhookMessages().some((m) => m.alerts.some((x) => x.labels.task === "Load 2"))).toBe(false);
  });

  test(
    "it ends when its cause closes: Steward posts it with endsAt, and Alertmanager sends the resolved notification",
    async () => {
      const ok = syntheticTaskEvent({
        outcome: "succeeded",
        taskName: "Load 1",
        taskId: "task-1",
        appName: "App 1",
        appId: "app-1",
        host: "qlik2.corp.example",
      });
      await emit({ ...ok, source: "udp" });
      const resolved = await waitFor(() => webhookMessages().flatMap((m) => m.alerts.filter((x) => x.status === "resolved" && x.labels.task === "Load 1"))[0], {
        what: "the resolved notification",
      });
      // Ended by Steward, not timed out: Alertmanager carries the annotations of the recovered page.
      expect(resolved.annotations.summary).toBe("connection errors from DWH");
      expect(resolved.annotations.description).toContain("Ended: nothing it affected is failing any more.");
      expect(resolved.annotations.description).toContain("Load 1 recovered after 1 failed run.");
      expect(Date.parse(resolved.endsAt)).toBeLessThanOrEqual(Date.now());
      await waitFor(async () => (await alertOf("Load 1")) === undefined, { what: "the alert gone from the active ones" });
      // And it stays ended: the re-sender no longer posts it (two of its passes).
      await Bun.sleep(2 * RESEND_S * 1_000);
      expect(await alertOf("Load 1")).toBeUndefined();
      expect(
        await t.app.sharedStore.sql.get("SELECT key FROM channel_state WHERE channel = 'am' AND key LIKE 'alert:cause:%' AND value LIKE '%Load 1%'"),
      ).toBeUndefined();
    },
    wallLimit(30_000),
  );

  test(
    "resolved by hand in Steward: it ends with endsAt, its annotations saying who resolved it",
    async () => {
      await emit(failedRun(3, { source: "CRM", host: HOST }));
      await waitFor(async () => ((await alertOf("Load 3"))?.status.state === "active" ? true : undefined), { what: "the alert firing" });
      const { incidents } = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: IncidentView[] };
      const incident = incidents.find((i) => i.title === "Load 3")!;
      const res = await t.request(`/v4/incidents/${incident.id}/resolve`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ note: "CRM moved" }),
      });
      expect(res.status).toBe(200);
      const resolved = await waitFor(() => webhookMessages().flatMap((m) => m.alerts.filter((x) => x.status === "resolved" && x.labels.task === "Load 3"))[0], {
        what: "the resolved notification",
      });
      expect(resolved.annotations.description).toContain("Ended: resolved by hand by anonymous.");
      expect(resolved.annotations.description).toContain("Load 3 resolved by anonymous after 1 failed run.");
      await waitFor(async () => (await alertOf("Load 3")) === undefined, { what: "the alert gone from the active ones" });
    },
    wallLimit(30_000),
  );

  test(
    "a node's cause holding no incident, resolved by hand in Steward: its alert ends with endsAt, saying who",
    async () => {
      const stopped = syntheticServiceEvent({ state: "stopped", host: "qlik5.corp.example", service: "QlikSenseSchedulerService" });
      await t.app.bus.emit(stopped.kind, stopped);
      const cause = await waitFor(
        async () =>
          ((await (await t.request("/v4/causes?status=open")).json()) as { causes: Array<{ id: number; title: string }> }).causes.find((c) =>
            c.title.includes("qlik5"),
          ),
        { what: "the node's cause" },
      );
      const label = String(cause.id);
      await waitFor(async () => ((await alertmanagerAlerts(am)).some((a) => a.labels.cause === label && a.status.state === "active") ? true : undefined), {
        what: "the cause's alert firing",
      });
      const res = await t.request(`/v4/causes/${cause.id}/resolve`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status).toBe(200);
      const resolved = await waitFor(() => webhookMessages().flatMap((m) => m.alerts.filter((x) => x.status === "resolved" && x.labels.cause === label))[0], {
        what: "the resolved notification",
      });
      expect(resolved.annotations.description).toContain("Ended: resolved by hand by anonymous.");
      expect(Date.parse(resolved.endsAt)).toBeLessThanOrEqual(Date.now());
      await waitFor(async () => ((await alertmanagerAlerts(am)).some((a) => a.labels.cause === label) ? undefined : true), { what: "the alert gone" });
    },
    wallLimit(30_000),
  );
});
