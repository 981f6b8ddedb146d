// The shared PostgreSQL store of a cluster, built from store.postgres: connection options (TLS files read
// relative to the config file), and a lifecycle component that connects and migrates before any module starts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConnectionOptions } from "node:tls";
import type { PostgresStoreConfig } from "./config";
import { type Clock, systemClock } from "../core/clock";
import { AppError } from "../core/errors";
import { isStepped } from "../core/stepped-clock";
import type { Component } from "../core/lifecycle";
import type { MigrationSet } from "./database";
import type { SqlDb, SqlExecutor, SqlValue } from "./sql";
import { createPostgresWriteHealth } from "./postgres-write-health";
import type { WriteHealth, WriteHealthLog } from "./write-health";

function readPem(baseDir: string, file: string, key: string): Buffer {
  try {
    return readFileSync(resolve(baseDir, file));
  } catch (err) {
    throw new AppError("CONFIG_INVALID", `store.postgres.tls.${key}: cannot read ${resolve(baseDir, file)}: ${(err as Error).message}`, { cause: err });
  }
}

export function postgresTlsOptions(cfg: PostgresStoreConfig, baseDir: string): false | ConnectionOptions {
  const t = cfg.tls;
  if (!t) return false;
  return {
    rejectUnauthorized: t.mode === "verify-full",
    ...(t.caFile ? { ca: readPem(baseDir, t.caFile, "caFile") } : {}),
    ...(t.certFile ? { cert: readPem(baseDir, t.certFile, "certFile") } : {}),
    ...(t.keyFile ? { key: readPem(baseDir, t.keyFile, "keyFile") } : {}),
    ...(t.servername ? { servername: t.servername } : {}),
  };
}

export interface ClusterStore {
  db: SqlDb;
  /** Connects and migrates at start (first in the lifecycle); closes the pool at stop (last). */
  component: Component;
  /** Whether the database server's disk refuses writes (SQLSTATE 53100): /ready and the log say it (postgres-write-health.ts). */
  writeHealth: WriteHealth;
}

/**
 * The modules get `db` when the app is built; the client library is loaded, connected and the tables migrated
 * when the component starts (first in the lifecycle), so a single Steward never loads the PostgreSQL client and
 * nothing is sent before the tables exist. A statement issued before that waits for it (or fails with its error).
 */
export function createClusterStore(
  cfg: PostgresStoreConfig,
  baseDir: string,
  sets: readonly MigrationSet[],
  instanceName: string,
  clock: Clock = systemClock,
  log?: WriteHealthLog,
): ClusterStore {
  const tls = postgresTlsOptions(cfg, baseDir);
  const health = createPostgresWriteHealth({ clock, ...(log ? { log } : {}) });
  let real: SqlDb | undefined;
  let resolveReady!: (db: SqlDb) => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<SqlDb>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {}); // observed by start(); statements waiting on it see the same error
  const db = async () => real ?? ready;
  // On a stepped clock (a simulation) a statement on its way is work in flight: time must not jump past it. Counted
  // once the store is up: a statement waiting for the start is not on its way yet.
  const counted = <T>(work: Promise<T>, sql: string, prefix = "PostgreSQL: "): Promise<T> =>
    isStepped(clock) ? clock.track(work, `${prefix}${sql.trim().replace(/\s+/g, " ").slice(0, 60)}`) : work;
  // A transaction's statements are labelled too (already in flight as the transaction's): what a simulation counts
  // as sent to the store is then every statement, not one per transaction.
  const inTransaction = (tx: SqlExecutor): SqlExecutor => {
    if (!isStepped(clock)) return tx;
    const label = "PostgreSQL in a transaction: ";
    return {
      dialect: tx.dialect,
      get: <T>(sql: string, params?: readonly SqlValue[]) => counted(tx.get<T>(sql, params), sql, label),
      all: <T>(sql: string, params?: readonly SqlValue[]) => counted(tx.all<T>(sql, params), sql, label),
      run: (sql, params) => counted(tx.run(sql, params), sql, label),
      exec: (script) => counted(tx.exec(script), script, label),
    };
  };
  const lazy: SqlDb = {
    dialect: "postgres",
    get: async (sql, params) => counted((await db()).get(sql, params), sql),
    all: async (sql, params) => counted((await db()).all(sql, params), sql),
    run: async (sql, params) => counted((await db()).run(sql, params), sql),
    exec: async (script) => counted((await db()).exec(script), script),
    transaction: async <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      counted(
        (await db()).transaction((tx) => fn(inTransaction(tx))),
        "a transaction",
      ),
    get isOpen() {
      return real?.isOpen ?? false;
    },
    close: async () => real?.close(),
  };
  return {
    db: lazy,
    writeHealth: health.health,
    component: {
      name: "cluster-store",
      async start() {
        try {
          // Loading the client, connecting and migrating are work in flight on a stepped clock too: a simulation's
          // time waits for them (a cold module load alone took up to minutes of simulated time otherwise).
          const open = async () => {
            const { openPostgresStore } = await import("./postgres-store");
            return openPostgresStore(
              {
                url: cfg.url,
                maxConnections: cfg.maxConnections,
                connectTimeoutMs: cfg.connectTimeoutMs,
                statementTimeoutMs: cfg.statementTimeoutMs,
                tls,
                applicationName: `steward ${instanceName}`.slice(0, 63),
              },
              sets,
            );
          };
          const pg = health.watch(await counted(open(), "loading the PostgreSQL client, connecting and migrating"));
          real = pg;
          resolveReady(pg);
        } catch (err) {
          rejectReady(err);
          throw err;
        }
      },
      stop: async () => {
        await real?.close();
      },
    },
  };
}
