// Every data check value to InfluxDB (dataChecks.influxChannel): measurement steward_data_check, one point per
// check and run, tagged with app and check. A run is marked exported only once InfluxDB took its points, so a
// write that fails (InfluxDB down, Steward killed) is made again later; the same point twice is one point.
import { Point } from "@influxdata/influxdb-client";
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { PointSink } from "../site-monitor/point-sink";
import type { CheckStore, RunRow, StoredValue } from "./check-store";

export function valuePoint(run: RunRow, v: StoredValue, severity: string | undefined, tags: Record<string, string>): Point {
  const p = new Point("steward_data_check");
  for (const [k, val] of Object.entries({ ...tags, app_id: v.appId, app_name: run.doc.app.name, check: v.check, severity: severity ?? "", status: v.status }))
    if (val !== "") p.tag(k, val);
  if (v.value?.number !== null && v.value?.number !== undefined && Number.isFinite(v.value.number)) p.floatField("value", v.value.number);
  if (v.value) p.stringField("value_text", v.value.text);
  if (v.previous !== null && Number.isFinite(v.previous)) p.floatField("previous", v.previous);
  p.booleanField("passed", v.status === "passed");
  p.stringField("expect", v.resolved ?? v.expect);
  if (v.message) p.stringField("message", v.message);
  p.stringField("run_id", v.runId);
  return p.timestamp(new Date(v.at));
}

export interface ValueExporter {
  exportRun(run: RunRow): Promise<void>;
  /** Runs whose points InfluxDB has not taken yet (a few at a time). */
  retry(): Promise<void>;
}

export function createValueExporter(sink: PointSink, store: CheckStore, severities: ReadonlyMap<string, string>, log: Logger): ValueExporter {
  const exportRun = async (run: RunRow) => {
    const values = await store.values(run.runId);
    if (values.length) await sink.write(values.map((v) => valuePoint(run, v, severities.get(v.check), sink.tagsFor("steward_data_check"))));
    await store.markExported(run.runId);
  };
  return {
    exportRun,
    async retry() {
      for (const runId of await store.unexported(20)) {
        const run = await store.getRun(runId);
        if (!run) continue;
        try {
          await exportRun(run);
        } catch (err) {
          log.warn({ runId, err: describeError(err) }, "could not write data check values to InfluxDB; tried again later");
          return;
        }
      }
    },
  };
}
