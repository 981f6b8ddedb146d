// `steward doctor` beside (or instead of) a running Steward: its "alert templates" line reads the deliveries from the
// store the config names, the SQLite file opened read-only or one PostgreSQL connection, opened and closed by the probe.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Config } from "../cli/steward-config";
import { systemClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import { postgresTlsOptions } from "../../platform/store/cluster-store";
import { createPostgresDb } from "../../platform/store/postgres-db";
import type { SqlDb } from "../../platform/store/sql";
import { createSqliteDb } from "../../platform/store/sqlite-db";
import { createOutboxStore } from "../../tell/notify/outbox-store";
import { localTimes } from "../../tell/notify/time-format";
import { templateFallbackProbe } from "./template-probe";
import type { DoctorProbe } from "./types";

/** A store Steward has not migrated yet (it never ran here) has no deliveries, so none in the plain form. */
const NO_TABLE = /no such table|does not exist/i;

/** The probe, or none when there is no store to read (no SQLite file yet, and no PostgreSQL configured). */
export function storedFallbackProbe(config: Config, baseDir: string): DoctorProbe | undefined {
  const pg = config.store.postgres;
  const file = join(config.dataDir, "steward.db");
  if (!pg && !existsSync(file)) return undefined;
  const open = (): SqlDb =>
    pg
      ? createPostgresDb({
          url: pg.url,
          maxConnections: 1,
          connectTimeoutMs: pg.connectTimeoutMs,
          tls: postgresTlsOptions(pg, baseDir),
          applicationName: "steward doctor",
          statementTimeoutMs: 8_000,
        })
      : createSqliteDb(new DatabaseSync(file, { readOnly: true }));
  return {
    check: "alert templates",
    async run() {
      const db = open();
      try {
        const outbox = createOutboxStore(db, { instanceId: "steward doctor" });
        return await templateFallbackProbe({
          recentFallbacks: (since) =>
            outbox.recentFallbacks(since).catch((err: unknown) => {
              if (NO_TABLE.test(describeError(err))) return [];
              throw err;
            }),
          now: () => systemClock.now(),
          formatTime: (ms) => localTimes(new Date(ms).toISOString(), config.notify.timeZone).zoned,
        }).run();
      } finally {
        await db.close();
      }
    },
  };
}
