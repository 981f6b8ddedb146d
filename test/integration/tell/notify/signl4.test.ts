// SIGNL4 channel against a local receiver that checks the inbound-webhook shape SIGNL4 documents (JSON body,
// Title/Message, X-S4-ExternalID and X-S4-Status "new"/"resolved"): a failed run opens an incident, the next
// success of the same task resolves it once, a success of a task that never failed sends nothing, a refused
// resolve is retried, open incidents survive a restart, and a stopped service is resolved when it runs again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { createTempDir } from "../../../helpers/temp-dir";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { startHttpReceiver, type CapturedRequest, type HttpReceiver } from "./receivers";

/** What SIGNL4's inbound webhook accepts; a request that breaks it fails the test where it is read. */
function signl4Body(r: CapturedRequest): Record<string, unknown> {
  expect(r.method).toBe("POST");
  expect(r.headers.get("content-type")).toContain("application/json");
  const b = JSON.parse(r.body) as Record<string, unknown>;
  expect(typeof b.Title).toBe("string");
  expect(typeof b.Message).toBe("string");
  expect(typeof b["X-S4-ExternalID"]).toBe("string");
  expect(["new", "acknowledged", "resolved"]).toContain(b["X-S4-Status"] as string);
  return b;
}

const config = (url: string) => `
channels:
  oncall: { type: signl4, url: "${url}/webhook/team-secret", serviceName: "Qlik Sense PROD" }
routes:
  - { name: incidents, on: [task.failed, task.aborted, task.succeeded, service.stopped, service.started], to: [oncall] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`;

describe("SIGNL4 channel", () => {
  let rx: HttpReceiver;
  const data = createTempDir();
  let t: TestApp;

  beforeAll(async () => {
    rx = startHttpReceiver(200);
    t = createTestApp(config(rx.url), { dir: data.path });
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
    data.remove();
  });

  const taskId = randomUUID();
  const delivered = async (eventId: string) => (await t.app.notify.list({ eventId, limit: 10 })).some((d) => d.status === "delivered");
  /** Settled with nothing sent, and recorded so (never as delivered without a request). */
  const nothingSent = async (eventId: string) =>
    (await t.app.notify.list({ eventId, limit: 10 })).some((d) => d.status === "suppressed" && d.reason?.includes("nothing to resolve"));

  test("a failed reload opens an incident with Butler's fields", async () => {
    const failed = syntheticTaskEvent({ outcome: "failed", taskId, taskName: "Nightly sales reload", appName: "Sales" });
    await t.app.bus.emit("task.failed", failed);
    await waitFor(() => rx.requests.length >= 1, { what: "the incident" });
    const b = signl4Body(rx.requests[0]!);
    expect(rx.requests[0]!.path).toBe("/webhook/team-secret");
    expect(b.Title).toBe("Qlik Sense reload task failed");
    expect(b.Message).toBe("Task: Nightly sales reload");
    expect(b.Severity).toBe(1);
    expect(b["X-S4-Service"]).toBe("Qlik Sense PROD");
    expect(b["X-S4-ExternalID"]).toBe(taskId);
    expect(b["X-S4-Status"]).toBe("new");
    expect(b.App).toBe("Sales");
    expect(b["Script log"]).toContain("CustomerKey");
  });

  test("an incident opened under the external id Steward used before Butler's (task:<id>) is resolved under that id", async () => {
    const id = randomUUID();
    // What an earlier Steward left in the store for an incident it opened.
    await t.app.sharedStore.sql.run("INSERT INTO channel_state (channel, key, value, updated_at) VALUES (?, ?, ?, ?)", [
      "oncall",
      `task:${id}`,
      "earlier",
      Date.now(),
    ]);
    const before = rx.requests.length;
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskId: id, taskName: "Old incident" });
    await t.app.bus.emit("task.succeeded", ok);
    await waitFor(() => delivered(ok.id), { what: "the resolve" });
    const sent = rx.requests.slice(before).map(signl4Body);
    expect(sent.map((b) => [b["X-S4-ExternalID"], b["X-S4-Status"]])).toEqual([[`task:${id}`, "resolved"]]);
    expect(await t.app.sharedStore.sql.get("SELECT value FROM channel_state WHERE channel = ? AND key = ?", ["oncall", `task:${id}`])).toBeUndefined();
  });

  test("a success of a task that never failed sends nothing", async () => {
    const before = rx.requests.length;
    const other = syntheticTaskEvent({ outcome: "succeeded" });
    await t.app.bus.emit("task.succeeded", other);
    await waitFor(() => nothingSent(other.id), { what: "the success handled" });
    expect(rx.requests.length).toBe(before);
  });

  test("a refused resolve is retried; the incident stays open until SIGNL4 accepts it", async () => {
    rx.respondWith(503);
    const before = rx.requests.length;
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskId, taskName: "Nightly sales reload" });
    await t.app.bus.emit("task.succeeded", ok);
    await waitFor(() => rx.requests.length >= before + 2, { what: "two refused attempts" });
    rx.respondWith(200);
    await waitFor(() => delivered(ok.id), { what: "the resolve delivered" });
    const resolves = rx.requests.slice(before).map(signl4Body);
    expect(resolves.every((b) => b["X-S4-Status"] === "resolved" && b["X-S4-ExternalID"] === taskId)).toBe(true);
    expect(resolves.at(-1)!.Title).toBe("Qlik Sense reload task succeeded");
    expect(resolves.at(-1)!.Severity).toBeUndefined();
  });

  test("a second success resolves nothing more", async () => {
    const before = rx.requests.length;
    const again = syntheticTaskEvent({ outcome: "succeeded", taskId });
    await t.app.bus.emit("task.succeeded", again);
    await waitFor(() => nothingSent(again.id), { what: "handled" });
    expect(rx.requests.length).toBe(before);
  });

  test("an aborted run opens an incident that a restart does not forget", async () => {
    const id = randomUUID();
    await t.app.bus.emit("task.aborted", syntheticTaskEvent({ outcome: "aborted", taskId: id }));
    await waitFor(() => rx.requests.some((r) => JSON.parse(r.body)["X-S4-ExternalID"] === id), { what: "the abort incident" });
    const opened = signl4Body(rx.requests.at(-1)!);
    expect(opened.Severity).toBe(10);
    expect(opened.Title).toBe("Qlik Sense reload task aborted");

    await t.app.stop();
    t = createTestApp(config(rx.url), { dir: data.path });
    await t.app.start();
    const before = rx.requests.length;
    await t.app.bus.emit("task.succeeded", syntheticTaskEvent({ outcome: "succeeded", taskId: id }));
    await waitFor(() => rx.requests.length > before, { what: "the resolve after restart" });
    const b = signl4Body(rx.requests.at(-1)!);
    expect(b["X-S4-Status"]).toBe("resolved");
    expect(b["X-S4-ExternalID"]).toBe(id);
  });

  test("a stopped service opens an incident and is resolved when it runs again", async () => {
    const before = rx.requests.length;
    await t.app.bus.emit("service.stopped", syntheticServiceEvent({ state: "stopped", host: "SENSE2", service: "QlikSenseEngineService" }));
    await waitFor(() => rx.requests.length > before, { what: "the service incident" });
    const opened = signl4Body(rx.requests.at(-1)!);
    expect(opened["X-S4-Status"]).toBe("new");
    expect(opened["X-S4-ExternalID"]).toBe("service:sense2:qliksenseengineservice");
    expect(String(opened.Message)).toContain("SENSE2");
    await t.app.bus.emit("service.started", syntheticServiceEvent({ state: "started", host: "SENSE2", service: "QlikSenseEngineService" }));
    await waitFor(() => rx.requests.length > before + 1, { what: "the service resolve" });
    const resolved = signl4Body(rx.requests.at(-1)!);
    expect(resolved["X-S4-Status"]).toBe("resolved");
    expect(resolved["X-S4-ExternalID"]).toBe(opened["X-S4-ExternalID"]);
  });

  test("a resolve queued while its incident's opening is still retried waits for it: SIGNL4 gets new, then resolved", async () => {
    const id = randomUUID();
    rx.respondWith(503);
    const before = rx.requests.length;
    const failed = syntheticTaskEvent({ outcome: "failed", taskId: id, taskName: "Reload during an outage of SIGNL4" });
    await t.app.bus.emit("task.failed", failed);
    await waitFor(() => rx.requests.length >= before + 1, { what: "the opening refused once" });
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskId: id, taskName: "Reload during an outage of SIGNL4" });
    await t.app.bus.emit("task.succeeded", ok);
    await waitFor(() => rx.requests.length >= before + 4, { what: "more refused attempts" });
    // Only the opening was tried while SIGNL4 refused: the resolve waits behind it, never sent before it.
    expect(rx.requests.slice(before).map((r) => signl4Body(r)["X-S4-Status"])).toEqual(rx.requests.slice(before).map(() => "new"));
    rx.respondWith(200);
    await waitFor(async () => (await delivered(failed.id)) && (await delivered(ok.id)), { what: "both delivered" });
    const accepted = rx.requests
      .slice(before)
      .map(signl4Body)
      .filter((b) => b["X-S4-ExternalID"] === id);
    expect(accepted.slice(-2).map((b) => b["X-S4-Status"])).toEqual(["new", "resolved"]);
    // The incident is closed in SIGNL4 and in the channel's memory.
    expect(await t.app.sharedStore.sql.get("SELECT value FROM channel_state WHERE channel = ? AND key = ?", ["oncall", id])).toBeUndefined();
  });
});
