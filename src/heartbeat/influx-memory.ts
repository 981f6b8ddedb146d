// Writes the uptime monitor's memory point to InfluxDB through a configured influxdb channel's connection
// settings (v1: the notify channel's /write client; v2: the official client). Butler's measurement and fields:
// butler_memory_usage with heap_used, heap_total, external and process_memory in MB, plus uptime_seconds.
import { memoryChannelState } from "../notify/channel-state";
import { InfluxDB, Point } from "@influxdata/influxdb-client";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import { VERSION } from "../core/version";
import { createInfluxV1Writer } from "../notify/channels/influxdb/v1";
import type { InfluxDbChannelConfig } from "../notify/channels/influxdb/schema";

export interface MemoryWriter {
  write(point: Point): Promise<void>;
  close(): Promise<void>;
}

const MB = 1024 * 1024;
const round2 = (n: number) => Math.round((n / MB) * 100) / 100;

export function memoryPoint(measurement: string, tags: Record<string, string>, uptimeSeconds: number, mem = process.memoryUsage()): Point {
  const p = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) p.tag(k, v);
  p.tag("butler_version", VERSION).tag("instance", hostname());
  p.floatField("heap_used", round2(mem.heapUsed));
  p.floatField("heap_total", round2(mem.heapTotal));
  p.floatField("external", round2(mem.external));
  p.floatField("process_memory", round2(mem.rss));
  p.intField("uptime_seconds", uptimeSeconds);
  return p;
}

export function createMemoryWriter(cfg: InfluxDbChannelConfig, deps: { log: Logger; clock: Clock; baseDir: string; name: string }): MemoryWriter {
  if (cfg.version === 1) {
    // The v1 writer never renders templates; it only needs the connection deps.
    const writer = createInfluxV1Writer(cfg, { name: deps.name, log: deps.log, clock: deps.clock, baseDir: deps.baseDir, templates: undefined as never, state: memoryChannelState() });
    return {
      write: (p) => writer.write([p.toLineProtocol()!], cfg.database!, AbortSignal.timeout(cfg.timeout)),
      close: async () => writer.close(),
    };
  }
  const influx = new InfluxDB({
    url: cfg.url,
    token: cfg.token,
    timeout: cfg.timeout,
    transportOptions: { ca: cfg.ca ? readFileSync(resolve(deps.baseDir, cfg.ca), "utf8") : undefined, rejectUnauthorized: cfg.rejectUnauthorized },
  });
  const api = influx.getWriteApi(cfg.org!, cfg.bucket!, "ms", { maxRetries: 0, flushInterval: 0 });
  return {
    async write(p) {
      api.writePoint(p);
      await api.flush();
    },
    close: () => api.close().catch(() => undefined),
  };
}
