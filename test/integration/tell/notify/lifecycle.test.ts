// Stopping with a send in flight: the worker waits within the stop budget, then aborts the send and hands the
// delivery back to the store without counting the attempt; the next start delivers it.
import { afterAll, expect, test } from "bun:test";
import { createTestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createManualClock } from "../../../../src/platform/core/clock";

const dir = createTempDir("steward-notify-stop-");
afterAll(() => dir.remove());

test("stop within the budget while a webhook hangs; the delivery is sent after the next start", { timeout: 30_000 }, async () => {
  let hang = true;
  const bodies: string[] = [];
  let arrived = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      arrived++;
      const body = await req.text();
      if (hang) await new Promise(() => undefined);
      bodies.push(body);
      return new Response("ok");
    },
  });
  const yaml = `
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook", timeout: 60s }
routes:
  - { on: [task.failed], to: [hook] }
`;
  try {
    const first = createTestApp(yaml, { dir: dir.path });
    await first.app.start();
    const event = syntheticTaskEvent({ outcome: "failed", taskName: "Hanging" });
    await first.app.bus.emit("task.failed", event);
    await waitFor(() => arrived === 1, { what: "the request to arrive" });
    const began = Date.now();
    await first.app.stop(2000);
    expect(Date.now() - began).toBeLessThan(5000);

    hang = false;
    const second = createTestApp(yaml, { dir: dir.path });
    await second.app.start();
    try {
      await waitFor(() => bodies.length === 1, { what: "the delivery after restart" });
      expect(JSON.parse(bodies[0]!).taskName).toBe("Hanging");
      const d = await waitFor(
        async () => {
          const row = (await second.app.notify.list({ limit: 10 }))[0];
          return row?.status === "delivered" ? row : undefined;
        },
        { what: "delivered status" },
      );
      // The interrupted attempt was handed back, not counted.
      expect(d.attempts).toBe(1);
    } finally {
      await second.app.stop();
    }
  } finally {
    server.stop(true);
  }
});

test("rate-limit windows survive a restart", { timeout: 30_000 }, async () => {
  const rateDir = createTempDir("steward-notify-rate-");
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      requests.push(await req.text());
      return new Response("ok");
    },
  });
  const yaml = `
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook" }
routes:
  - { name: limited, on: [task.failed], to: [hook], rateLimit: 1h }
`;
  try {
    const taskId = "bbbbbbbb-0000-4000-8000-000000000001";
    const first = createTestApp(yaml, { dir: rateDir.path });
    await first.app.start();
    await first.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskId }));
    await waitFor(() => requests.length === 1, { what: "the first alert" });
    await first.app.stop();

    const second = createTestApp(yaml, { dir: rateDir.path });
    await second.app.start();
    try {
      const again = syntheticTaskEvent({ outcome: "failed", taskId });
      await second.app.bus.emit("task.failed", again);
      const row = (await second.app.notify.list({ eventId: again.id, limit: 1 }))[0]!;
      expect(row.status).toBe("suppressed");
      expect(row.reason).toContain("rate limit");
      await Bun.sleep(200);
      expect(requests.length).toBe(1);
    } finally {
      await second.app.stop();
    }
  } finally {
    server.stop(true);
    rateDir.remove();
  }
});

test("/ready reports a notify backlog that is stuck, without making Steward unready", { timeout: 30_000 }, async () => {
  const clock = createManualClock(Date.parse("2026-03-01T10:00:00Z"));
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("down", { status: 503 }) });
  const t = createTestApp(
    `
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${server.port}/hook" }
routes:
  - { on: [task.failed], to: [hook] }
notify:
  outbox: { initialBackoff: 1h }
`,
    { clock },
  );
  type Ready = { ready: boolean; components: Record<string, { ok: boolean; detail: string; required: boolean }> };
  try {
    await t.app.start();
    expect(((await (await t.request("/ready")).json()) as Ready).components.notify).toEqual({ ok: true, detail: "outbox empty", required: false });
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed" }));
    await waitFor(async () => (await t.app.notify.list({ limit: 1 }))[0]?.attempts === 1 && (await t.app.notify.list({ limit: 1 }))[0]?.status === "pending", {
      what: "a failed attempt",
    });
    await clock.advance(11 * 60_000);
    const res = await t.request("/ready");
    const body = (await res.json()) as Ready;
    expect(res.status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.components.notify).toEqual({ ok: false, detail: "1 deliveries waiting, oldest for 660 s", required: false });
  } finally {
    await t.close();
    server.stop(true);
  }
});
