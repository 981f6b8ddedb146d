// Routing features end to end with a manual clock and a webhook receiver: filters, persisted rate limits per
// route × task × channel × recipient, digest grouping (with and without sending the first at once), and the
// preview endpoint (matching routes with reasons, rendered payloads, suppression shown).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { startHttpReceiver, type HttpReceiver } from "./receivers";

const T0 = Date.parse("2026-03-01T10:00:00Z");

describe("routes with rate limits and grouping", () => {
  let rx: HttpReceiver;
  let t: TestApp;
  let clock: ManualClock;
  const at = (path: string) => rx.requests.filter((r) => r.path === path);

  beforeAll(async () => {
    rx = startHttpReceiver();
    clock = createManualClock(T0);
    t = createTestApp(
      `
channels:
  limited: { type: webhook, url: "${rx.url}/limited" }
  digest: { type: webhook, url: "${rx.url}/digest" }
  first: { type: webhook, url: "${rx.url}/first" }
routes:
  - { name: limited, on: [task.failed], to: [limited], taskNames: ["Limited*"], taskTypes: [reload], rateLimit: 10m }
  - { name: burst, on: [task.failed, task.aborted], to: [digest], taskNames: ["Burst*"], group: { window: 2m } }
  - { name: first-then-digest, on: [task.aborted], to: [first], taskNames: ["Storm*"], group: { window: 2m, sendFirst: true } }
  - { name: finance-apps, on: [task.failed], to: [limited], appTags: [Finance], streams: [Finance] }
`,
      { clock },
    );
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
  });

  test("rate limit: one alert per task in the window, other tasks unaffected, again after the window", async () => {
    const a1 = syntheticTaskEvent({ outcome: "failed", taskName: "Limited A", taskId: "aaaaaaaa-0000-0000-0000-000000000001", nowMs: clock.now() });
    const a2 = syntheticTaskEvent({ outcome: "failed", taskName: "Limited A", taskId: a1.task.id, nowMs: clock.now() });
    const b = syntheticTaskEvent({ outcome: "failed", taskName: "Limited B", nowMs: clock.now() });
    const distribute = syntheticTaskEvent({ outcome: "failed", taskType: "distribute", taskName: "Limited D", nowMs: clock.now() });
    for (const e of [a1, a2, b, distribute]) await t.app.bus.emit(e.kind, e);
    await waitFor(() => at("/limited").length >= 2, { what: "2 requests" });
    await Bun.sleep(100);
    expect(at("/limited").map((r) => JSON.parse(r.body).taskName)).toEqual(["Limited A", "Limited B"]);
    const suppressed = (await (await t.request(`/v4/deliveries?status=suppressed&eventId=${encodeURIComponent(a2.id)}`)).json()) as {
      deliveries: Array<{ reason: string }>;
    };
    expect(suppressed.deliveries[0]!.reason).toContain("rate limit");

    await clock.advance(11 * 60_000);
    const a3 = syntheticTaskEvent({ outcome: "failed", taskName: "Limited A", taskId: a1.task.id, nowMs: clock.now() });
    await t.app.bus.emit("task.failed", a3);
    await waitFor(() => at("/limited").length >= 3, { what: "3rd request" });
    expect(JSON.parse(at("/limited")[2]!.body).stewardEvent.id).toBe(a3.id);
  });

  test("grouping: a burst becomes one digest when the window closes", async () => {
    const burst = [0, 1, 2].map((i) => syntheticTaskEvent({ outcome: i === 2 ? "aborted" : "failed", taskName: `Burst ${i}`, nowMs: clock.now() }));
    for (const e of burst) await t.app.bus.emit(e.kind, e);
    await Bun.sleep(100);
    expect(at("/digest").length).toBe(0);
    const grouping = (await (await t.request("/v4/deliveries?status=grouping,grouped&channel=digest")).json()) as { deliveries: Array<{ status: string }> };
    expect(grouping.deliveries.map((d) => d.status).sort()).toEqual(["grouped", "grouped", "grouped", "grouping"]);

    await clock.advance(2 * 60_000);
    await waitFor(() => at("/digest").length === 1, { what: "the digest" });
    const body = JSON.parse(at("/digest")[0]!.body);
    expect(at("/digest")[0]!.headers.get("x-steward-event")).toBe("digest");
    expect(body).toMatchObject({ event: "Steward alert digest", kind: "digest", count: 3, summary: "2 failed, 1 aborted", route: "burst" });
    expect(body.events.map((e: { id: string }) => e.id)).toEqual(burst.map((e) => e.id));

    // A window with a single event sends it as a normal message.
    const lone = syntheticTaskEvent({ outcome: "failed", taskName: "Burst lone", nowMs: clock.now() });
    await t.app.bus.emit("task.failed", lone);
    await clock.advance(2 * 60_000);
    await waitFor(() => at("/digest").length === 2, { what: "the lone message" });
    expect(JSON.parse(at("/digest")[1]!.body)).toMatchObject({ event: "Qlik Sense reload failed", taskName: "Burst lone" });
  });

  test("grouping with sendFirst: the first goes at once, the rest of the burst as a digest", async () => {
    const storm = [0, 1, 2].map((i) => syntheticTaskEvent({ outcome: "aborted", taskName: `Storm ${i}`, nowMs: clock.now() }));
    for (const e of storm) await t.app.bus.emit(e.kind, e);
    await waitFor(() => at("/first").length === 1, { what: "the first" });
    expect(JSON.parse(at("/first")[0]!.body).taskName).toBe("Storm 0");
    await clock.advance(2 * 60_000);
    await waitFor(() => at("/first").length === 2, { what: "the digest" });
    const digest = JSON.parse(at("/first")[1]!.body);
    expect(digest.count).toBe(2);
    expect(digest.events.map((e: { task: { name: string } }) => e.task.name)).toEqual(["Storm 1", "Storm 2"]);
  });

  test("app tag and stream filters", async () => {
    const before = at("/limited").length;
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "Finance cube", nowMs: clock.now() });
    e.app!.tags = ["Finance"];
    await t.app.bus.emit("task.failed", e);
    const other = syntheticTaskEvent({ outcome: "failed", taskName: "HR cube", nowMs: clock.now() });
    await t.app.bus.emit("task.failed", other);
    await waitFor(() => at("/limited").length === before + 1, { what: "the finance alert" });
    await Bun.sleep(100);
    expect(at("/limited").length).toBe(before + 1);
    expect(JSON.parse(at("/limited")[before]!.body).taskName).toBe("Finance cube");
  });

  test("preview: matching routes with reasons, rendered payloads, rate limit visible; nothing sent", async () => {
    const before = rx.requests.length;
    const res = await t.request("/v4/alerts/preview", {
      method: "POST",
      body: JSON.stringify({ kind: "task.failed", taskName: "Limited A", taskId: "aaaaaaaa-0000-0000-0000-000000000001" }),
    });
    expect(res.status).toBe(200);
    const p = (await res.json()) as {
      event: { source: string };
      routes: Array<{ route: string; matched: boolean; reason?: string }>;
      deliveries: Array<{ route: string; channel: string; action: string; reason?: string; rendered?: { url: string; body: { taskName: string } } }>;
      note?: string;
    };
    expect(p.event.source).toBe("test");
    expect(p.note).toContain("synthetic");
    expect(p.routes.map((r) => [r.route, r.matched])).toEqual([
      ["limited", true],
      ["burst", false],
      ["first-then-digest", false],
      ["finance-apps", false],
    ]);
    expect(p.routes[1]!.reason).toBe('taskNames: "Limited A" matches none');
    expect(p.routes[2]!.reason).toBe("on: task.failed is not in [task.aborted]");
    expect(p.routes[3]!.reason).toBe("appTags: the app has none of [Finance]");
    expect(p.deliveries).toHaveLength(1);
    expect(p.deliveries[0]!.action).toBe("suppress");
    expect(p.deliveries[0]!.reason).toContain("rate limit");
    expect(p.deliveries[0]!.rendered!.url).toBe(`${rx.url}/limited`); // the path tells webhooks on one host apart
    expect(p.deliveries[0]!.rendered!.body.taskName).toBe("Limited A");

    const svc = (await (await t.request("/v4/alerts/preview", { method: "POST", body: JSON.stringify({ event: syntheticServiceEvent() }) })).json()) as {
      routes: Array<{ matched: boolean }>;
      deliveries: unknown[];
    };
    expect(svc.routes.every((r) => !r.matched)).toBe(true);
    expect(svc.deliveries).toEqual([]);

    const bad = await t.request("/v4/alerts/preview", { method: "POST", body: JSON.stringify({ kind: "task.exploded" }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^body\.kind/);
    await Bun.sleep(100);
    expect(rx.requests.length).toBe(before);
  });
});
