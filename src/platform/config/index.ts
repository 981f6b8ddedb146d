// Public surface of config: the schema, loading with precise errors, and the editor JSON Schema.
export * from "./schema";
export * from "./load";
export * from "./json-schema";
export { formatPath } from "./yaml-source";
