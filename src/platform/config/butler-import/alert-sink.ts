// The channels and routes the alert mappers build: a type of its own, so the InfluxDB mapper and the alert mapper
// that calls it do not import each other.
import type { Obj } from "./context";

export interface Alerts {
  channels: Obj;
  routes: Obj[];
  /** Name of the InfluxDB channel, for the uptime monitor. */
  influx?: string;
}

export type AlertSink = Alerts & { add(base: string, cfg: Obj): string };
