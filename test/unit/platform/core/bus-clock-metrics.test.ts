// Core building blocks: the event bus isolates failing subscribers, the manual clock fires timers in order,
// the metrics registry renders the Prometheus text format.
import { describe, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createReadiness } from "../../../../src/platform/core/readiness";

describe("event bus", () => {
  test("delivers to kind and any-subscribers; a throwing subscriber does not stop the others", async () => {
    const bus = createEventBus<{ a: number; b: string }>(createSilentLogger());
    const seen: string[] = [];
    bus.on("a", () => {
      throw new Error("boom");
    });
    bus.on("a", (n) => void seen.push(`a${n}`));
    bus.onAny((kind, p) => void seen.push(`any:${kind}:${p}`));
    const off = bus.on("b", (s) => void seen.push(`b${s}`));
    await bus.emit("a", 1);
    off();
    await bus.emit("b", "x");
    expect(seen).toEqual(["a1", "any:a:1", "any:b:x"]);
  });
});

describe("required subscribers", () => {
  test("emit rejects when a required subscriber fails, after every subscriber ran; optional failures only log", async () => {
    const bus = createEventBus<{ a: number }>(createSilentLogger());
    const seen: string[] = [];
    bus.on("a", () => {
      throw new Error("optional broke");
    });
    await bus.emit("a", 1);
    const off = bus.onAny(
      () => {
        throw new Error("outbox is full");
      },
      { required: true },
    );
    bus.on("a", (n) => void seen.push(`later${n}`));
    await expect(bus.emit("a", 2)).rejects.toThrow("a required subscriber of a failed: outbox is full");
    expect(seen).toEqual(["later2"]);
    off();
    await bus.emit("a", 3);
    expect(seen).toEqual(["later2", "later3"]);
  });
});

describe("manual clock", () => {
  test("fires due timers in order as time advances, and not before", async () => {
    const clock = createManualClock(1_000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 500);
    const t = clock.setTimeout(() => fired.push(-1), 200);
    clock.setTimeout(() => fired.push(clock.now()), 100);
    clock.clearTimeout(t);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1000);
    expect(fired).toEqual([1_100, 1_500]);
    expect(clock.now()).toBe(2_099);
  });
});

describe("metrics", () => {
  test("renders counters, gauges, gauge functions and histograms", () => {
    const m = createMetricsRegistry();
    const c = m.counter("steward_test_total", "A test counter.");
    c.inc({ reason: 'bad "quote"' });
    c.inc({ reason: 'bad "quote"' }, 2);
    m.gauge("steward_depth", "Depth.").set(7);
    m.gaugeFn("steward_fn", "Fn.", () => 3);
    m.histogram("steward_lat_seconds", "Latency.", [0.1, 1]).observe(0.5);
    const text = m.render();
    expect(text).toContain('steward_test_total{reason="bad \\"quote\\""} 3');
    expect(text).toContain("# TYPE steward_depth gauge\nsteward_depth 7");
    expect(text).toContain("steward_fn 3");
    expect(text).toContain('steward_lat_seconds_bucket{le="0.1"} 0');
    expect(text).toContain('steward_lat_seconds_bucket{le="1"} 1');
    expect(text).toContain('steward_lat_seconds_bucket{le="+Inf"} 1');
    expect(text).toContain("steward_lat_seconds_count 1");
    expect(() => m.counter("steward_depth", "dup")).toThrow(/registered twice/);
    // The same labels in another order are the same series.
    const r = m.counter("steward_routes_total", "Routes.");
    r.inc({ method: "GET", route: "/x" });
    r.inc({ route: "/x", method: "GET" });
    expect(r.get({ route: "/x", method: "GET" })).toBe(2);
    expect(m.render()).toContain('steward_routes_total{method="GET",route="/x"} 2');
  });
});

describe("metrics series resolved once", () => {
  test("a series handle counts into the same series as inc/observe with those labels, whatever their order", () => {
    const m = createMetricsRegistry();
    const c = m.counter("t_requests_total", "requests");
    const h = m.histogram("t_seconds", "latency", [0.01, 0.1, 1]);
    const handle = c.series({ method: "GET", route: "/x", status: "200" });
    handle.inc();
    handle.inc(2);
    c.inc({ status: "200", route: "/x", method: "GET" });
    c.inc({ method: "GET", route: "/x", status: "404" });
    expect(c.get({ route: "/x", method: "GET", status: "200" })).toBe(4);
    expect(c.get({ method: "GET", route: "/x", status: "404" })).toBe(1);
    const timed = h.series({ route: "/x", method: "GET" });
    timed.observe(0.05);
    h.observe(2, { method: "GET", route: "/x" });
    const text = m.render();
    expect(text).toContain('t_requests_total{method="GET",route="/x",status="200"} 4');
    expect(text).toContain('t_seconds_bucket{route="/x",method="GET",le="0.01"} 0');
    expect(text).toContain('t_seconds_bucket{route="/x",method="GET",le="0.1"} 1');
    expect(text).toContain('t_seconds_bucket{route="/x",method="GET",le="1"} 1');
    expect(text).toContain('t_seconds_bucket{route="/x",method="GET",le="+Inf"} 2');
    expect(text).toContain('t_seconds_count{route="/x",method="GET"} 2');
  });
});

describe("readiness", () => {
  test("not ready when a required component is down; optional ones do not count", async () => {
    const r = createReadiness(50);
    r.register({ name: "store", required: true, check: () => ({ ok: true }) });
    r.register({ name: "mqtt", required: false, check: () => ({ ok: false, detail: "refused" }) });
    expect((await r.report()).ready).toBe(true);
    r.register({ name: "qrs", required: true, check: () => new Promise(() => {}) });
    const report = await r.report();
    expect(report.ready).toBe(false);
    expect(report.components.qrs).toEqual({ ok: false, detail: "no answer within 50 ms", required: true });
  });

  test("a check that answers leaves no deadline armed behind it (the degraded watch reports every minute)", async () => {
    // The runtime's timers, counted while the reports run: armed and not yet fired or cleared.
    const armed = new Set<unknown>();
    const { setTimeout: set, clearTimeout: clear } = globalThis;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const t = set(() => {
        armed.delete(t);
        fn();
      }, ms);
      armed.add(t);
      return t;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((t?: ReturnType<typeof setTimeout>) => {
      armed.delete(t);
      clear(t);
    }) as typeof clearTimeout;
    try {
      const r = createReadiness(60_000);
      r.register({ name: "store", required: true, check: () => ({ ok: true }) });
      r.register({ name: "qrs", required: true, check: async () => ({ ok: true }) });
      r.register({ name: "mqtt", required: false, check: () => Promise.reject(new Error("refused")) });
      for (let i = 0; i < 10; i++) expect((await r.report()).ready).toBe(true);
    } finally {
      globalThis.setTimeout = set;
      globalThis.clearTimeout = clear;
    }
    expect(armed.size).toBe(0);
  });
});
