// Public surface of core: errors, logging, time, events, metrics, readiness, lifecycle.
export * from "./errors";
export * from "./redaction";
export * from "./logger";
export * from "./clock";
export * from "./bus";
export * from "./metrics";
export * from "./readiness";
export * from "./lifecycle";
export * from "./version";
export * from "./map-limited";
