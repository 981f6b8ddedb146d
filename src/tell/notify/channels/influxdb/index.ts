// InfluxDB channel: v1 writes line protocol to /write (database and retention policy created when missing);
// v2 uses the official client's WriteApi (org/bucket/token; VictoriaMetrics accepts it too). The client's
// own retry buffer is off: the outbox retries, and a buffered copy would be written twice.
import { InfluxDB, type WriteApi } from "@influxdata/influxdb-client";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ChannelDefinition } from "../../types";
import { deliveryError, isRetryableHttpStatus } from "../../../../platform/http/delivery-error";
import { conflictMessage, createInfluxV1Writer } from "./v1";
import { pointsFor } from "./points";
import { InfluxDbChannelSchema } from "./schema";

export const influxDbChannel: ChannelDefinition<"influxdb"> = {
  type: "influxdb",
  schema: InfluxDbChannelSchema,
  addressable: false,
  supportsDigest: false,
  dataSink: true,
  templateParts: [],
  preview(cfg, n) {
    const opts = { escapeNewlines: cfg.version === 2 };
    const target = n.test?.target ?? (cfg.version === 1 ? cfg.database : cfg.bucket);
    return {
      version: cfg.version,
      [cfg.version === 1 ? "database" : "bucket"]: target,
      lines: n.events.flatMap((e) => pointsFor(cfg, e, opts)).map((p) => p.toLineProtocol()),
    };
  },
  create(cfg, deps) {
    if (cfg.version === 1) {
      const writer = createInfluxV1Writer(cfg, deps);
      return {
        async send(n, signal) {
          const lines = n.events
            .flatMap((e) => pointsFor(cfg, e))
            .map((p) => p.toLineProtocol())
            .filter((l): l is string => Boolean(l));
          await writer.write(lines, n.test?.target ?? cfg.database!, signal);
        },
        async close() {
          writer.close();
        },
      };
    }
    const influx = new InfluxDB({
      url: cfg.url,
      token: cfg.token,
      timeout: cfg.timeout,
      transportOptions: { ca: cfg.ca ? readFileSync(resolve(deps.baseDir, cfg.ca), "utf8") : undefined, rejectUnauthorized: cfg.rejectUnauthorized },
    });
    const apis = new Map<string, WriteApi>();
    const apiFor = (bucket: string) => {
      let api = apis.get(bucket);
      if (!api) {
        api = influx.getWriteApi(cfg.org!, bucket, "ms", {
          maxRetries: 0,
          flushInterval: 0,
          batchSize: 10_000,
          writeFailed: (error) => Promise.reject(error),
        });
        apis.set(bucket, api);
      }
      return api;
    };
    return {
      async send(n, signal) {
        const bucket = n.test?.target ?? cfg.bucket!;
        const api = apiFor(bucket);
        const points = n.events.flatMap((e) => pointsFor(cfg, e, { escapeNewlines: true }));
        const lines = () => points.map((p) => p.toLineProtocol() ?? "");
        const target = { channel: deps.name, url: cfg.url, database: bucket };
        api.writePoints(points);
        const flushed = api.flush();
        let onAbort: (() => void) | undefined;
        try {
          await Promise.race([
            flushed,
            new Promise<never>((_, fail) => {
              onAbort = () => fail(new Error("InfluxDB write timed out"));
              if (signal.aborted) onAbort();
              else signal.addEventListener("abort", onAbort, { once: true });
            }),
          ]);
          deps.influxConflicts?.accepted(target, lines());
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          const permanent = status !== undefined && status >= 400 && !isRetryableHttpStatus(status);
          const conflicts =
            status !== undefined && status >= 400 && status < 500
              ? (deps.influxConflicts?.refused(target, (err as { body?: string }).body ?? (err as Error).message, lines()) ?? [])
              : [];
          if (conflicts.length) throw deliveryError(conflictMessage(conflicts, bucket), { cause: err, permanent: true, status });
          throw deliveryError(`InfluxDB v2 write: ${(err as Error).message}`, { cause: err, permanent, status });
        } finally {
          if (onAbort) signal.removeEventListener("abort", onAbort);
        }
      },
      async close() {
        await Promise.all([...apis.values()].map((a) => a.close().catch(() => undefined)));
      },
    };
  },
};
