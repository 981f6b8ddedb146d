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

/**
 * Butler sends every failure of a task that keeps failing; Steward's default pages an open incident once. A converted
 * task route keeps Butler's behaviour (renotify: every), which the administrator may drop to get Steward's.
 */
export const butlerRepeats = (on: readonly string[]): Obj => (on.some((k) => k === "task.failed" || k === "task.aborted") ? { renotify: "every" } : {});
