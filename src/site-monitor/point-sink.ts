// Where the site monitors write their InfluxDB points: an influxdb channel's connection (v1 or v2) with the
// channel's static tags added to every point.
import type { Point } from "@influxdata/influxdb-client";
import type { Logger } from "pino";
import type { Clock } from "../core/clock";
import { createMemoryWriter } from "../heartbeat/influx-memory";
import type { InfluxDbChannelConfig } from "../notify/channels/influxdb/schema";

export interface PointSink {
  tags: Record<string, string>;
  write(points: Point[]): Promise<void>;
  close(): Promise<void>;
}

export function createPointSink(name: string, cfg: InfluxDbChannelConfig, deps: { log: Logger; clock: Clock; baseDir: string }): PointSink {
  const writer = createMemoryWriter(cfg, { ...deps, name });
  return {
    tags: { ...cfg.tags },
    async write(points) {
      for (const p of points) await writer.write(p);
    },
    close: () => writer.close(),
  };
}
