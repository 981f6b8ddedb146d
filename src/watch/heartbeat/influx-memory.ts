// Writes the uptime monitor's memory point to InfluxDB through a configured influxdb channel's connection
// settings (v1: the notify channel's /write client; v2: the official client). Butler's measurement and fields:
// butler_memory_usage with heap_used, heap_total, external and process_memory in MB (floats) and the channel's
// static tags and Butler's version tag (Steward's version), plus Steward's uptime_seconds and instance tag.
import { memoryChannelState } from "../../tell/notify/channel-state";
import { InfluxDB, Point } from "@influxdata/influxdb-client";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { VERSION } from "../../platform/core/version";
import { createInfluxV1Writer } from "../../tell/notify/channels/influxdb/v1";
import type { InfluxDbChannelConfig } from "../../tell/notify/channels/influxdb/schema";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import { describeError } from "../../platform/core/errors";

export interface MemoryWriter {
  /** The channel's static tags with the measurement's own on top. */
  tagsFor(measurement: string): Record<string, string>;
  write(point: Point): Promise<void>;
  close(): Promise<void>;
}

const MB = 1024 * 1024;
const round2 = (n: number) => Math.round((n / MB) * 100) / 100;

export function memoryPoint(measurement: string, tags: Record<string, string>, uptimeSeconds: number, mem = process.memoryUsage()): Point {
  const p = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) if (v !== "") p.tag(k, v);
  p.tag("version", VERSION).tag("butler_version", VERSION).tag("instance", hostname());
  p.floatField("heap_used", round2(mem.heapUsed));
  p.floatField("heap_total", round2(mem.heapTotal));
  p.floatField("external", round2(mem.external));
  p.floatField("process_memory", round2(mem.rss));
  p.intField("uptime_seconds", uptimeSeconds);
  return p;
}

export function createMemoryWriter(
  cfg: InfluxDbChannelConfig,
  deps: { log: Logger; clock: Clock; baseDir: string; name: string; influxConflicts?: InfluxConflictMonitor },
): MemoryWriter {
  const tagsFor = (measurement: string) => ({ ...cfg.tags, ...(cfg.measurements?.[measurement]?.tags ?? {}) });
  if (cfg.version === 1) {
    // The v1 writer never renders templates; it only needs the connection deps.
    const writer = createInfluxV1Writer(cfg, {
      name: deps.name,
      log: deps.log,
      clock: deps.clock,
      baseDir: deps.baseDir,
      templates: undefined as never,
      state: memoryChannelState(),
      influxConflicts: deps.influxConflicts,
    });
    return {
      tagsFor,
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
    tagsFor,
    async write(p) {
      const target = { channel: deps.name, url: cfg.url, database: cfg.bucket! };
      api.writePoint(p);
      try {
        await api.flush();
        deps.influxConflicts?.accepted(target, [p.toLineProtocol() ?? ""]);
      } catch (err) {
        deps.influxConflicts?.refused(target, (err as { body?: string }).body ?? describeError(err), [p.toLineProtocol() ?? ""]);
        throw err;
      }
    },
    close: () => api.close().catch(() => undefined),
  };
}
