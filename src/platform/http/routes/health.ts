// Liveness, readiness and Prometheus metrics.
import { z } from "zod";
import { onLastResort } from "../../core/last-resort";
import type { Lifecycle } from "../../core/lifecycle";
import type { MetricsRegistry } from "../../core/metrics";
import type { Readiness } from "../../core/readiness";
import { VERSION } from "../../core/version";
import { runtime } from "../../runtime";

/** Which runtime runs Steward (Bun; Deno for the Deno build), for /health and steward_info. */
const RUNTIME = { name: runtime.name, version: runtime.version };
import type { Router } from "../route";
import { principalOf } from "../request-state";

export function registerHealthRoutes(router: Router, deps: { readiness: Readiness; metrics: MetricsRegistry; startedAt: number }): void {
  router.route(
    {
      method: "get",
      path: "/health",
      summary: "Liveness: the process is up and serving HTTP",
      tags: ["health"],
      scope: "public",
      responses: {
        200: {
          description: "alive",
          schema: () =>
            z.object({
              status: z.literal("ok"),
              version: z.string(),
              uptimeSeconds: z.number(),
              runtime: z.object({ name: z.string().describe("bun or deno"), version: z.string() }),
            }),
        },
      },
    },
    (c) => c.json({ status: "ok" as const, version: VERSION, uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000), runtime: RUNTIME }),
  );

  router.route(
    {
      method: "get",
      path: "/ready",
      summary: "Readiness of each component (QRS, MQTT, store …); 503 when a required one is down",
      tags: ["health"],
      scope: "public",
      responses: {
        200: { description: "ready", schema: () => z.object({ ready: z.boolean(), components: z.record(z.string(), z.unknown()) }) },
        503: { description: "a required component is down" },
      },
    },
    async (c) => {
      const report = await deps.readiness.report();
      // Details (store path, broker URL, upstream errors) only for callers who could read them elsewhere:
      // admin, or anyone while no credentials are configured. Monitors need only ok/required.
      const p = principalOf(c);
      if (p && p.scopes !== "all" && !p.scopes.includes("admin")) {
        for (const [name, s] of Object.entries(report.components)) report.components[name] = { ok: s.ok, required: s.required };
      }
      return c.json(report, report.ready ? 200 : 503);
    },
  );

  router.route(
    {
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text exposition format)",
      tags: ["health"],
      scope: "public",
      responses: { 200: { description: "metrics", contentType: "text/plain" } },
    },
    async (c) => {
      await deps.metrics.collect();
      return c.text(deps.metrics.render(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    },
  );
}

export function registerProcessMetrics(metrics: MetricsRegistry, startedAt: number): void {
  // The names Prometheus' own client libraries use, so standard dashboards and alert rules work unchanged.
  metrics.counterFn("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  metrics.gaugeFn("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", () => Math.round(startedAt / 1000));
  metrics.gaugeFn("process_resident_memory_bytes", "Resident set size in bytes.", () => process.memoryUsage().rss);
  metrics.gaugeFn("process_heap_used_bytes", "JavaScript heap in use, bytes.", () => process.memoryUsage().heapUsed);
  metrics.gaugeFn("process_uptime_seconds", "Seconds since Steward started.", () => Math.round((Date.now() - startedAt) / 1000));
  metrics.gaugeFn("steward_info", "Build information and the runtime running it.", () => [
    { labels: { version: VERSION, runtime: RUNTIME.name, runtime_version: RUNTIME.version }, value: 1 },
  ]);
}

/** steward_uncaught_errors_total: what the last-resort guard caught while this app ran (0 unless there is a bug). */
export function countLastResortErrors(metrics: MetricsRegistry, lifecycle: Lifecycle): void {
  const caught = metrics.counter(
    "steward_uncaught_errors_total",
    "Errors no code handled, caught by the last-resort guard so Steward kept running, by kind; each one is a bug to report.",
  );
  for (const kind of ["uncaught_exception", "unhandled_rejection"] as const) caught.inc({ kind }, 0);
  let off: (() => void) | undefined;
  lifecycle.add({
    name: "last-resort-count",
    start() {
      off = onLastResort((kind) => caught.inc({ kind }));
    },
    stop() {
      off?.();
      off = undefined;
    },
  });
}
