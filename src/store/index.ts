// Public surface of the store: the database with migrations and the core metadata helpers.
export * from "./database";
export * from "./core-migrations";
export * from "./store-metrics";
export * from "./group-commit";
