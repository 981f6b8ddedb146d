// Public surface of the audit log.
export * from "./audit-log";
