// The shared PostgreSQL store of a cluster, built from store.postgres: connection options (TLS files read
// relative to the config file), and a lifecycle component that connects and migrates before any module starts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConnectionOptions } from "node:tls";
import type { PostgresStoreConfig } from "../config/sections/store";
import { AppError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import type { MigrationSet } from "./database";
import { createPostgresDb } from "./postgres-db";
import { migratePostgres } from "./postgres-store";
import type { SqlDb } from "./sql";

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
}

export function createClusterStore(cfg: PostgresStoreConfig, baseDir: string, sets: readonly MigrationSet[], instanceName: string): ClusterStore {
  const db = createPostgresDb({
    url: cfg.url,
    maxConnections: cfg.maxConnections,
    connectTimeoutMs: cfg.connectTimeoutMs,
    tls: postgresTlsOptions(cfg, baseDir),
    applicationName: `steward ${instanceName}`.slice(0, 63),
  });
  return {
    db,
    component: {
      name: "cluster-store",
      start: () => migratePostgres(db, sets),
      stop: () => db.close(),
    },
  };
}
