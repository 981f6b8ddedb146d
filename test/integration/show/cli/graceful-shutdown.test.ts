// Graceful shutdown in-process: a request in flight when stop() begins still completes; new connections are
// refused afterwards; the store is closed and marked clean.
import { describe, expect, test } from "bun:test";
import { createTestApp } from "../../../helpers/app";

describe("graceful shutdown", () => {
  test("in-flight request completes, then the listener and the store close", async () => {
    const t = createTestApp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.app.http.router.route(
      { method: "get", path: "/test/slow", summary: "slow", tags: ["test"], scope: "admin", responses: { 200: { description: "ok" } } },
      async (c) => {
        await gate;
        return c.json({ done: true });
      },
    );
    await t.app.start();
    const url = t.app.server!.url();
    const inflight = fetch(`${url}/test/slow`);
    await Bun.sleep(50);
    const stopping = t.app.stop(5_000);
    await Bun.sleep(50);
    release();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ done: true });
    await stopping;
    expect(t.app.store.db.isOpen).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await t.close();
  });
});
