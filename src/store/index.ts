// Public surface of the store: the database with migrations, the async SQL seam for both back ends, and the
// core metadata helpers.
export * from "./database";
export * from "./core-migrations";
export * from "./store-metrics";
export * from "./sql";
export { createSqliteDb } from "./sqlite-db";
export { createPostgresDb, type PostgresDbOptions } from "./postgres-db";
export { openPostgresStore } from "./postgres-store";
export { migrationSql } from "./migration-dialect";
