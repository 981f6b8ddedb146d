// The alertmanager channel's re-sender against a real Prometheus Alertmanager (resolve_timeout 5s): the open alerts
// live in the store, so a Steward started again on the same data keeps them firing; and an alert of an incident
// of its own is ended by the re-sender when the incident closes, although no route takes the recovered page to the channel.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, type GettableAlert, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { TestService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const RESOLVE_TIMEOUT_S = 5;

function failure(taskName: string, taskId: string): TaskEvent {
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName, taskId, appName: "Sales", appId: "app-sales" }), source: "udp" };
  e.errorClass = "connection";
  e.errorLine = "Error: Connection refused (CRM)";
  e.scriptLog = {
    head: ["Execution started.", "LIB CONNECT TO 'CRM'", "Error: Connection refused"],
    tail: [],
    totalLines: 3,
    sizeBytes: 80,
    failureLines: [3],
  };
  return e;
}

// Only failures (and missed starts) reach the channel: the recovered page (and the start's) does not. A re-send a
// second: an alert's end and a failing Alertmanager are found at the next passes, and 4 s of margin to resolve_timeout.
const config = (am: string) => `
channels:
  am: { type: alertmanager, urls: ["${am}"], resendEvery: 1s }
routes:
  - { on: [task.failed, task.missed], to: [am] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`;

describe("alertmanager re-sender", () => {
  let am: TestService;
  const data = createTempDir();
  let t: TestApp;

  beforeAll(async () => {
    am = await startAlertmanager({ resolveTimeout: `${RESOLVE_TIMEOUT_S}s` });
    t = createTestApp(config(am.url), { dir: data.path });
    await t.app.start();
  }, wallLimit(60_000));
  afterAll(async () => {
    await t?.close();
    await am?.stop().catch(() => {});
    data.remove();
  });

  const emit = async (e: TaskEvent) => {
    for (const out of await t.app.incidents!.annotate(e)) await t.app.bus.emit(out.kind, out);
  };
  const alertOf = async (task: string): Promise<GettableAlert | undefined> => (await alertmanagerAlerts(am)).find((a) => a.labels.task === task);

  test(
    "a Steward started again on the same store keeps its open alert firing past resolve_timeout",
    async () => {
      await emit(failure("CRM extract", "task-crm"));
      const first = await waitFor(() => alertOf("CRM extract"), { what: "the alert" });
      await t.app.stop();
      t = createTestApp(config(am.url), { dir: data.path });
      await t.app.start();
      // The old Steward's last post came before the restart: past resolve_timeout after it, Alertmanager has resolved
      // the alert unless the new Steward posted it again (it drops out of the active list exactly then, so one second
      // past is margin enough for the claim; the re-sends' own margin is resendEvery 1s against 5s).
      await Bun.sleep((RESOLVE_TIMEOUT_S + 1) * 1_000);
      const later = await alertOf("CRM extract");
      expect(later?.status.state).toBe("active");
      expect(later!.fingerprint).toBe(first.fingerprint);
    },
    wallLimit(30_000),
  );

  test(
    "an incident closing ends its alert, although the recovered page goes to no route of the channel",
    async () => {
      // A failure with no likely cause to group it by: an incident of its own, not a cause's.
      const failed: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: "Orders", taskId: "task-orders", appName: "Orders" }), source: "udp" };
      await emit(failed);
      const a = await waitFor(() => alertOf("Orders"), { what: "the alert" });
      expect(a.labels.steward_incident).toMatch(/^incident:\d+$/);
      expect(a.labels.cause).toBeUndefined();
      const ok = syntheticTaskEvent({ outcome: "succeeded", taskName: "Orders", taskId: "task-orders", appName: "Orders" });
      const closing = await t.app.incidents!.annotate({ ...ok, source: "udp" });
      expect(closing.map((e) => e.kind)).toContain("task.recovered");
      for (const e of closing) await t.app.bus.emit(e.kind, e);
      await waitFor(async () => (await alertOf("Orders")) === undefined, { what: "the alert ended" });
      // No delivery ended it: the re-sender found the incident closed.
      for (const e of closing) expect((await t.app.notify.list({ eventId: e.id, limit: 10 })).filter((d) => d.channel === "am")).toEqual([]);
      // Forgotten once Alertmanager took the end (the row goes right after the post: waited for, bounded).
      await waitFor(
        async () =>
          (await t.app.sharedStore.sql.all("SELECT key FROM channel_state WHERE channel = 'am' AND key LIKE 'alert:incident:%'")).length === 0
            ? true
            : undefined,
        { what: "the ended alert forgotten by the channel" },
      );
    },
    wallLimit(30_000),
  );

  test(
    "an alert whose incident the store does not hold is ended, not re-sent for as long as Steward runs",
    async () => {
      // Issue 84: on-call-chaos.test.ts found an Alertmanager alert of an incident that no list held, re-sent forever.
      await emit({ ...syntheticTaskEvent({ outcome: "failed", taskName: "Ledger", taskId: "task-ledger", appName: "Ledger" }), source: "udp" });
      const a = await waitFor(() => alertOf("Ledger"), { what: "the alert" });
      const id = Number(a.labels.steward_incident!.slice("incident:".length));
      await t.app.sharedStore.sql.run("DELETE FROM incidents WHERE id = ?", [id]);
      await waitFor(async () => (await alertOf("Ledger")) === undefined, { what: "the alert of the missing incident ended", timeoutMs: wallLimit(20_000) });
      await waitFor(
        async () =>
          (await t.app.sharedStore.sql.all("SELECT key FROM channel_state WHERE channel = 'am' AND key = ?", [`alert:incident:${id}`])).length === 0
            ? true
            : undefined,
        { what: "the ended alert forgotten by the channel" },
      );
    },
    wallLimit(30_000),
  );

  test(
    "a missed start's incident resolved by hand: its condition's alert is ended, not re-sent until the task starts",
    async () => {
      // Issue 84: a condition's incident pages under its condition's alert, which names no incident; the re-sender
      // finds the incident through the event that opened the alert.
      const missed = syntheticWatchdogEvent("task.missed", { host: "sense1.corp.example" });
      await t.app.bus.emit(missed.kind, missed);
      await waitFor(() => alertOf(missed.task!.name), { what: "the missed start's alert" });
      const incident = (await t.app.incidents!.openIncident(`watch:${missed.condition.key}`))!;
      expect(await t.app.incidents!.resolveByHand(incident.id, { by: "anna", via: "api" })).toBeDefined();
      await waitFor(async () => (await alertOf(missed.task!.name)) === undefined, { what: "the alert ended", timeoutMs: wallLimit(20_000) });
    },
    wallLimit(30_000),
  );

  // Last: it stops this file's Alertmanager.
  test(
    "Alertmanager gone while an alert is open: /ready names the channel and the failing re-send",
    async () => {
      await emit({ ...syntheticTaskEvent({ outcome: "failed", taskName: "Inventory", taskId: "task-inventory" }), source: "udp" });
      await waitFor(() => alertOf("Inventory"), { what: "the alert" });
      await am.stop();
      const detail = await waitFor(
        async () => {
          const body = (await (await t.request("/ready")).json()) as { ready: boolean; components: Record<string, { ok: boolean; detail?: string }> };
          const channels = body.components.channels;
          return !body.ready && channels && !channels.ok ? channels.detail : undefined;
        },
        { what: "/ready failing on the channel", timeoutMs: 30_000 },
      );
      expect(detail).toMatch(/^am: \d+ attempts failed since .*re-sending the open alerts: /);
    },
    wallLimit(45_000),
  );
});
