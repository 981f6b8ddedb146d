// InfluxDB field type conflicts: reading InfluxDB's refusals and keeping them visible until a write is accepted.
export { createInfluxConflictMonitor, conflictEvent, describeConflict, type InfluxConflictMonitor, type InfluxTarget, type OpenConflict } from "./monitor";
export { lineKeys, parseFieldTypeConflicts, type FieldTypeConflict } from "./parse";
