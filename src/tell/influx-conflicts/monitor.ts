// Field type conflicts InfluxDB reported for Steward's writes, kept while they last: each shows on /ready (and so
// on the dashboard) with the measurement, the field and both types, is counted on /metrics, and raises one
// influxdb.field_conflict event a route can alert on. A later accepted write that carries the field ends it
// (the measurement was dropped, the shard rolled over, or the data goes to another database).
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Readiness } from "../../platform/core/readiness";
import type { SiteEvent } from "../../platform/events/types";
import { lineKeys, parseFieldTypeConflicts, type FieldTypeConflict } from "./parse";

/** Where a write went: the channel that wrote it and its database (v1) or bucket (v2). */
export interface InfluxTarget {
  channel: string;
  url: string;
  database: string;
}

export interface OpenConflict extends FieldTypeConflict, InfluxTarget {
  since: number;
  last: number;
  /** Writes refused for it since it was first seen. */
  refusedWrites: number;
}

export interface InfluxConflictMonitor {
  /**
   * A write of `lines` to `target` was refused with this answer: records the conflicts it names on a measurement
   * and field those lines carry (an answer cannot make up others), and returns them.
   */
  refused(target: InfluxTarget, answer: string, lines: readonly string[]): FieldTypeConflict[];
  /** A write of these lines to `target` was accepted: conflicts on a measurement's field it carried are over. */
  accepted(target: InfluxTarget, lines: readonly string[]): void;
  open(): OpenConflict[];
  /** Shows the (non-required) influxdb entry on /ready from now on, also before any conflict. */
  watch(): void;
}

export interface InfluxConflictDeps {
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  readiness: Readiness;
  /** Puts the event on the bus (routes alert on it). */
  emit(e: SiteEvent): Promise<void>;
}

/** Conflicts kept at most (one per channel, database, measurement and field Steward writes: far fewer in practice). */
const MAX_OPEN = 500;

const keyOf = (t: InfluxTarget, c: Pick<FieldTypeConflict, "measurement" | "field">) => JSON.stringify([t.channel, t.database, c.measurement, c.field]);

export function describeConflict(c: OpenConflict): string {
  return `${c.measurement}.${c.field} is ${c.storedType} in ${c.database} and Steward wrote ${c.writtenType} (channel ${c.channel}; ${c.refusedWrites} write${c.refusedWrites === 1 ? "" : "s"} refused since ${new Date(c.since).toISOString()})`;
}

export function conflictEvent(c: OpenConflict, host: string): SiteEvent {
  const day = new Date(c.since).toISOString().slice(0, 10);
  const data = {
    channel: c.channel,
    url: c.url,
    database: c.database,
    measurement: c.measurement,
    field: c.field,
    storedType: c.storedType,
    writtenType: c.writtenType,
  };
  return {
    // One alert per conflict and day, also when several Stewards on one store meet it.
    id: `influxdb.field_conflict:${c.channel}:${c.database}:${c.measurement}:${c.field}:${c.storedType}:${day}`,
    kind: "influxdb.field_conflict",
    receivedAt: new Date(c.since).toISOString(),
    host,
    title: `InfluxDB refuses ${c.measurement} points: field ${c.field} is ${c.storedType} there, Steward wrote ${c.writtenType}`,
    summary:
      `InfluxDB at ${c.url} (database ${c.database}) refused points of ${c.measurement} written by channel ${c.channel}: the field ${c.field} ` +
      `is stored there as ${c.storedType} and Steward wrote it as ${c.writtenType} (a field type conflict, which lasts until the shard rolls over). ` +
      "The refused deliveries are dead-lettered. To recover, drop the measurement or the shard, or write to a new database or measurement " +
      "(/help/switching-from-butler#when-influxdb-refuses-a-point-field-type-conflicts), then retry them from /ui/deliveries.",
    facts: Object.entries(data).map(([name, value]) => ({ name, value })),
    data,
  };
}

function writtenKeys(target: InfluxTarget, lines: readonly string[]): Set<string> {
  const written = new Set<string>();
  for (const line of lines) {
    const k = lineKeys(line);
    if (k) for (const f of k.fields) written.add(keyOf(target, { measurement: k.measurement, field: f }));
  }
  return written;
}

export function createInfluxConflictMonitor(deps: InfluxConflictDeps): InfluxConflictMonitor {
  const log = deps.log.child({ module: "influx-conflicts" });
  const host = hostname();
  const open = new Map<string, OpenConflict>();
  const refusedPoints = deps.metrics.counter(
    "steward_influxdb_refused_writes_total",
    "InfluxDB writes refused for a field type conflict, by channel, measurement and field.",
  );
  deps.metrics.gaugeFn("steward_influxdb_field_conflicts", "Field type conflicts InfluxDB reports and no accepted write has ended yet.", () => open.size);
  let registered = false;
  const watch = () => {
    if (registered) return;
    registered = true;
    deps.readiness.register({
      name: "influxdb",
      required: false,
      check: () =>
        open.size === 0
          ? { ok: true, detail: "no field type conflict" }
          : { ok: false, detail: `field type conflict: ${[...open.values()].map(describeConflict).join("; ")}` },
    });
  };

  return {
    refused(target, answer, lines) {
      const written = writtenKeys(target, lines);
      const found = parseFieldTypeConflicts(answer).filter((c) => written.has(keyOf(target, c)));
      const now = deps.clock.now();
      for (const c of found) {
        watch();
        refusedPoints.inc({ channel: target.channel, measurement: c.measurement, field: c.field });
        const key = keyOf(target, c);
        const known = open.get(key);
        if (known && known.storedType === c.storedType && known.writtenType === c.writtenType) {
          known.last = now;
          known.refusedWrites++;
          continue;
        }
        const entry: OpenConflict = { ...target, ...c, since: now, last: now, refusedWrites: 1 };
        if (!known && open.size >= MAX_OPEN) open.delete(open.keys().next().value!);
        open.set(key, entry);
        log.error(
          { ...target, measurement: c.measurement, field: c.field, storedType: c.storedType, writtenType: c.writtenType },
          "InfluxDB refused a write: field type conflict",
        );
        const e = conflictEvent(entry, host);
        void deps.emit(e).catch((err) => log.error({ eventId: e.id, err: describeError(err) }, "the field type conflict event could not be queued"));
      }
      return found;
    },
    accepted(target, lines) {
      if (open.size === 0) return;
      const mine = [...open.entries()].filter(([, c]) => c.channel === target.channel && c.database === target.database);
      if (mine.length === 0) return;
      const written = writtenKeys(target, lines);
      for (const [key, c] of mine) {
        if (!written.has(key)) continue;
        open.delete(key);
        log.info({ ...target, measurement: c.measurement, field: c.field }, "InfluxDB accepts the field again: the field type conflict is over");
      }
    },
    open: () => [...open.values()],
    watch,
  };
}
