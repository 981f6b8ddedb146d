// Public surface of intake: the UDP task-event intake (listener, parser, dedupe, queue) and its wiring.
export { setupIntake } from "./setup";
export { createTaskIntake, type TaskIntake, type TaskIntakeDeps } from "./task-intake";
export { intakeMigrations, type IntakeStore } from "./intake-store";
export { nodeSilenceMigrations, type SilentNode } from "./node-silence";
export { heldAttemptMigrations } from "./held-attempts";
export { parseDatagram, normalisePrefix, stripControlChars } from "./datagram-parser";
export * from "./datagram-types";
