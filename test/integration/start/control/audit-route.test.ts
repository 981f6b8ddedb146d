// GET /v4/audit: filters by action (exact or prefix*), actor, target, result and time window; newest first;
// bounded; bad filters are 400 naming the field.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
const clock = createManualClock(Date.parse("2025-11-03T06:00:00.000Z"));
beforeAll(async () => {
  t = createTestApp("", { clock });
  const a = t.app.audit;
  a.record({ actor: { kind: "apiKey", name: "erp" }, action: "task.start", target: "t1", result: "ok" });
  await clock.advance(60_000);
  a.record({ actor: { kind: "mqtt", name: "qliksense/start_task" }, action: "task.start", target: "t2", result: "denied", details: { reason: "allowlist" } });
  await clock.advance(60_000);
  a.record({ actor: { kind: "chain", name: "job-1" }, action: "app.reload", target: "app1", result: "failed" });
  await clock.advance(60_000);
  a.record({ actor: { kind: "apiKey", name: "erp" }, action: "app.dump", target: "app1", result: "ok" });
});
afterAll(() => t.close());

const q = async (query: string) => {
  const r = await t.request(`/v4/audit${query}`);
  return {
    status: r.status,
    body: (await r.json()) as { entries: Array<{ action: string; target: string; actor: { name: string }; at: string; details?: unknown }>; error?: string },
  };
};

test("newest first, everything without filters", async () => {
  const r = await q("");
  expect(r.status).toBe(200);
  expect(r.body.entries.map((e) => e.target)).toEqual(["app1", "app1", "t2", "t1"]);
  expect(r.body.entries[3]!.at).toBe("2025-11-03T06:00:00.000Z");
});

test("action exact and prefix, actor, target, result", async () => {
  expect((await q("?action=task.start")).body.entries.map((e) => e.target)).toEqual(["t2", "t1"]);
  expect((await q("?action=app.*")).body.entries.map((e) => e.action)).toEqual(["app.dump", "app.reload"]);
  expect((await q("?actorKind=apiKey&actorName=erp")).body.entries.map((e) => e.action)).toEqual(["app.dump", "task.start"]);
  expect((await q("?target=app1&result=failed")).body.entries.map((e) => e.action)).toEqual(["app.reload"]);
  expect((await q("?result=denied")).body.entries[0]!.details).toEqual({ reason: "allowlist" });
});

test("time window and limit", async () => {
  const r = await q("?since=2025-11-03T06:01:00Z&until=2025-11-03T06:02:00Z");
  expect(r.body.entries.map((e) => e.target)).toEqual(["app1", "t2"]);
  expect((await q("?limit=1")).body.entries).toHaveLength(1);
});

test("bad filters are 400 naming the field", async () => {
  const a = await q("?since=yesterday");
  expect(a.status).toBe(400);
  expect(a.body.error).toContain("query.since");
  expect((await q("?result=maybe")).status).toBe(400);
  expect((await q("?limit=0")).status).toBe(400);
});
