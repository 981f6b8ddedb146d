// The heartbeat against a local HTTP receiver: a beat at start and one per interval, GET and POST (with its
// JSON body and headers), a slow receiver counted as a failure after the timeout, a 500 too, recovery logged,
// the token in the URL never logged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HeartbeatSchema } from "../../../../src/watch/heartbeat/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createHeartbeat } from "../../../../src/watch/heartbeat/heartbeat";
import { waitFor } from "../../../helpers/wait-for";

interface Hit {
  method: string;
  path: string;
  body: string;
  auth: string | null;
}
const hits: Hit[] = [];
let mode: "ok" | "slow" | "error" | "redirect" = "ok";
let rx: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  rx = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      hits.push({ method: req.method, path: new URL(req.url).pathname, body: await req.text(), auth: req.headers.get("authorization") });
      if (mode === "slow") await Bun.sleep(1500);
      if (mode === "redirect" && !req.url.includes("/landed")) return Response.redirect(`http://localhost:${rx.port}/landed`, 307);
      return new Response(mode === "error" ? "no" : "ok", { status: mode === "error" ? 500 : 200 });
    },
  });
});
afterAll(() => rx.stop(true));

function make(cfg: object) {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: "debug",
    format: "json",
    secrets: createSecretRegistry(),
    write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  const clock = createManualClock(Date.parse("2026-02-01T00:00:00Z"));
  const metrics = createMetricsRegistry();
  const hb = createHeartbeat(HeartbeatSchema.parse(cfg), { log, clock, metrics, baseDir: ".", startedAt: clock.now() - 90_000 });
  return { hb, lines, clock, metrics };
}

describe("heartbeat", () => {
  test("GET at start and on every interval, with the configured headers", async () => {
    hits.length = 0;
    mode = "ok";
    const { hb, clock, metrics } = make({ url: `${rx.url.origin}/ping/secret-token-123`, interval: "1m", headers: { Authorization: "Bearer hb" } });
    // The next beat is scheduled once a beat has finished (answer read), which is after the receiver saw it:
    // advancing the clock before that would move time under an unscheduled timer (a flake on a loaded machine).
    const beatsDone = (n: number) => metrics.render().includes(`steward_heartbeat_total{result="ok"} ${n}`);
    await hb.component.start();
    await waitFor(() => hits.length === 1 && beatsDone(1));
    await clock.advance(59_000);
    expect(hits).toHaveLength(1);
    await clock.advance(1_000);
    await waitFor(() => hits.length === 2);
    expect(hits.map((h) => `${h.method} ${h.path} ${h.auth}`)).toEqual(["GET /ping/secret-token-123 Bearer hb", "GET /ping/secret-token-123 Bearer hb"]);
    await hb.component.stop(1000);
    await clock.advance(120_000);
    expect(hits).toHaveLength(2);
  });

  test("POST carries version, host, uptime and memory", async () => {
    hits.length = 0;
    mode = "ok";
    const { hb } = make({ url: `${rx.url.origin}/push`, method: "POST" });
    expect(await hb.beat()).toBe(true);
    const body = JSON.parse(hits[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ service: "steward", uptimeSeconds: 90, memory: { rssBytes: expect.any(Number) } });
    expect(typeof body.version).toBe("string");
    expect(typeof body.host).toBe("string");
  });

  test("a slow receiver times out, a 500 fails; failures are counted and the recovery is logged", async () => {
    hits.length = 0;
    const { hb, lines, metrics } = make({ url: `${rx.url.origin}/ping/secret-token-123`, timeout: "200ms" });
    mode = "slow";
    expect(await hb.beat()).toBe(false);
    mode = "error";
    expect(await hb.beat()).toBe(false);
    expect(hb.consecutiveFailures()).toBe(2);
    expect(metrics.render()).toContain('steward_heartbeat_total{result="failed"} 2');
    expect(metrics.render()).toContain("steward_heartbeat_consecutive_failures 2");
    mode = "ok";
    expect(await hb.beat()).toBe(true);
    expect(hb.consecutiveFailures()).toBe(0);
    const warn = lines.find((l) => l.msg === "heartbeat failed" && l.level === "warn")!;
    expect(warn.reason).toBe("no answer within 200 ms");
    expect(lines.find((l) => l.msg === "heartbeat failed" && l.level === "debug")!.reason).toContain("HTTP 500");
    expect(lines.some((l) => l.msg === "heartbeat delivered again" && l.failedBefore === 2)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain("secret-token-123");
    expect(metrics.render()).toMatch(/steward_heartbeat_last_success_timestamp_seconds \d{10}/);
  });

  test("an unreachable URL fails without throwing", async () => {
    const { hb } = make({ url: "http://127.0.0.1:9/ping", timeout: "2s" });
    expect(await hb.beat()).toBe(false);
  });

  test("a redirect is not followed: the configured headers do not go to where the receiver points", async () => {
    hits.length = 0;
    mode = "redirect";
    const { hb, lines } = make({ url: `${rx.url.origin}/ping`, method: "POST", headers: { Authorization: "Bearer hb-secret" } });
    expect(await hb.beat()).toBe(false);
    mode = "ok";
    expect(hits.map((h) => h.path)).toEqual(["/ping"]);
    expect(JSON.stringify(lines)).toContain("a redirect; not followed");
  });

  test("reconfigure switches it off and on", async () => {
    hits.length = 0;
    mode = "ok";
    const { hb } = make({ url: `${rx.url.origin}/a` });
    hb.reconfigure(undefined);
    expect(await hb.beat()).toBe(false);
    hb.reconfigure(HeartbeatSchema.parse({ url: `${rx.url.origin}/b` }));
    expect(await hb.beat()).toBe(true);
    expect(hits.map((h) => h.path)).toEqual(["/b"]);
  });
});
