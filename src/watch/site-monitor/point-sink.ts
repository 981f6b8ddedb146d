// Where the site monitors write their InfluxDB points: an influxdb channel's connection (v1 or v2) with the
// channel's static tags, and the measurement's own ones (channels.<name>.measurements), added to every point.
import type { Point } from "@influxdata/influxdb-client";
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import { createMemoryWriter } from "../heartbeat/influx-memory";
import type { InfluxDbChannelConfig } from "../../tell/notify/channels/influxdb/schema";

export interface PointSink {
  /** The channel's static tags with the measurement's own on top (Butler's per-monitor tag.static). */
  tagsFor(measurement: string): Record<string, string>;
  write(points: Point[]): Promise<void>;
  close(): Promise<void>;
}

export function createPointSink(
  name: string,
  cfg: InfluxDbChannelConfig,
  deps: { log: Logger; clock: Clock; baseDir: string; influxConflicts?: InfluxConflictMonitor },
): PointSink {
  const writer = createMemoryWriter(cfg, { ...deps, name });
  return {
    tagsFor: writer.tagsFor,
    async write(points) {
      for (const p of points) await writer.write(p);
    },
    close: () => writer.close(),
  };
}
