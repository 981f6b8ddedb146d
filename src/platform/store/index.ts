// Public surface of the store: the database with migrations, the async SQL seam for both back ends, and the
// core metadata helpers.
export * from "./database";
export * from "./core-migrations";
export * from "./store-metrics";
export * from "./sql";
export { createSqliteDb } from "./sqlite-db";
// The PostgreSQL client is not re-exported: it is loaded only when store.postgres is configured
// (src/platform/store/cluster-store.ts imports it when the store starts).
export { migrationSql } from "./migration-dialect";
export * from "./group-commit";
