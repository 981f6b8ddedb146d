// Public surface of the config loader: reading a file against a schema it is given, with precise errors, and the
// editor JSON Schema of that schema.
export * from "./load";
export * from "./json-schema";
export { formatPath } from "./yaml-source";
