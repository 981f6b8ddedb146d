// The uptime monitor: logs uptime and memory on an interval and, when an influxdb channel is named, writes the
// memory point there. Heap total and external memory are also on /metrics (RSS, heap used and uptime are
// registered by the HTTP layer).
import type { Logger } from "pino";
import type { ChannelConfig } from "../../tell/notify/config";
import type { UptimeMonitorConfig } from "./config";
import type { Clock, Timer } from "../../platform/core/clock";
import { AppError, describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import { createMemoryWriter, memoryPoint, type MemoryWriter } from "./influx-memory";

/** What the uptime monitor reads of the config: its section and the InfluxDB channel it writes to. */
type UptimeSetupConfig = { uptimeMonitor?: UptimeMonitorConfig; channels: Record<string, ChannelConfig> };

export interface UptimeDeps {
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  baseDir: string;
  startedAt: number;
  influxConflicts?: InfluxConflictMonitor;
}

export interface UptimeMonitor {
  component: Component;
  /** Logs (and writes) one sample now. */
  sample(): Promise<void>;
  /** Validates the channel reference of a new config; the returned function applies it. */
  prepare(next: UptimeSetupConfig): () => Promise<void>;
}

function writerFor(cfg: UptimeMonitorConfig | undefined, config: UptimeSetupConfig, deps: UptimeDeps): MemoryWriter | undefined {
  if (!cfg?.enabled || !cfg.influxChannel) return undefined;
  const ch = config.channels[cfg.influxChannel];
  if (ch?.type !== "influxdb") {
    throw new AppError("CONFIG_INVALID", `uptimeMonitor.influxChannel: "${cfg.influxChannel}" is not an influxdb channel under channels:`);
  }
  return createMemoryWriter(ch, { log: deps.log, clock: deps.clock, baseDir: deps.baseDir, name: cfg.influxChannel, influxConflicts: deps.influxConflicts });
}

export function createUptimeMonitor(config: UptimeSetupConfig, deps: UptimeDeps): UptimeMonitor {
  const log = deps.log.child({ module: "uptime" });
  deps.metrics.gaugeFn("process_heap_total_bytes", "JavaScript heap reserved, bytes.", () => process.memoryUsage().heapTotal);
  deps.metrics.gaugeFn(
    "process_external_memory_bytes",
    "Memory of objects outside the JavaScript heap (buffers), bytes.",
    () => process.memoryUsage().external,
  );
  const written = deps.metrics.counter("steward_uptime_influx_writes_total", "Memory points written to InfluxDB, by result.");
  let cfg = config.uptimeMonitor;
  let writer = writerFor(cfg, config, deps);
  let timer: Timer | undefined;
  let running = false;

  async function sample(): Promise<void> {
    const c = cfg;
    if (!c?.enabled) return;
    const mem = process.memoryUsage();
    const uptimeSeconds = Math.round((deps.clock.now() - deps.startedAt) / 1000);
    log[c.logLevel](
      { uptimeSeconds, rssMB: Math.round(mem.rss / 1048576), heapUsedMB: Math.round(mem.heapUsed / 1048576), heapTotalMB: Math.round(mem.heapTotal / 1048576) },
      "uptime and memory",
    );
    if (!writer) return;
    try {
      await writer.write(memoryPoint(c.measurement, writer.tagsFor(c.measurement), uptimeSeconds, mem));
      written.inc({ result: "ok" });
    } catch (err) {
      written.inc({ result: "failed" });
      log.warn({ channel: c.influxChannel, err: describeError(err) }, "writing the memory point to InfluxDB failed");
    }
  }

  const schedule = () => {
    if (timer) deps.clock.clearTimeout(timer);
    timer = undefined;
    if (!running || !cfg?.enabled) return;
    timer = deps.clock.setTimeout(() => void sample().finally(schedule), cfg.interval);
    timer.unref?.();
  };

  return {
    sample,
    prepare(next) {
      const nextWriter = writerFor(next.uptimeMonitor, next, deps);
      return async () => {
        const old = writer;
        cfg = next.uptimeMonitor;
        writer = nextWriter;
        await old?.close();
        schedule();
      };
    },
    component: {
      name: "uptime",
      start() {
        running = true;
        void sample().finally(schedule);
      },
      async stop() {
        running = false;
        if (timer) deps.clock.clearTimeout(timer);
        await writer?.close();
      },
    },
  };
}
