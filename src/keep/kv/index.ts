// Public surface of the key-value store.
export { createKvStore, MAX_TTL_MS, type KvStore, type KvEntry, type KvValue, type KvDeps } from "./kv-store";
export { kvMigrations } from "./migrations";
export { registerKvRoutes } from "./routes";
export { setupKv, type KvSetupDeps } from "./setup";
