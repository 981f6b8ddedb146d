// Writes to the Windows Application event log under the service's own source, which `steward service install`
// registers with .NET's generic EventLogMessages.dll so the text shows as is. The Win32 calls go through the
// runtime's FFI (src/platform/runtime/*/win32-event-log.ts).
import { runtime } from "../../../platform/runtime";

export type EventLevel = "info" | "warn" | "error";
const TYPE: Record<EventLevel, number> = { error: 0x0001, warn: 0x0002, info: 0x0004 };
const EVENT_ID: Record<EventLevel, number> = { info: 1000, warn: 2000, error: 3000 };

export interface EventLog {
  write(level: EventLevel, message: string): boolean;
  close(): void;
}

/** Undefined when the source cannot be registered (then the rolling file is the only log). */
export async function openEventLog(source: string): Promise<EventLog | undefined> {
  const events = await runtime.win32EventSource(source);
  if (!events) return undefined;
  return {
    // The event log caps one string at 31 839 characters.
    write: (level, message) => events.report(TYPE[level], EVENT_ID[level], message.slice(0, 31_000)),
    close: () => events.close(),
  };
}
