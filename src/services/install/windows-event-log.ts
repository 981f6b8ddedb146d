// Writes to the Windows Application event log (ReportEventW through bun:ffi) under the service's own source,
// which `steward service install` registers with .NET's generic EventLogMessages.dll so the text shows as is.
import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";

export type EventLevel = "info" | "warn" | "error";
const TYPE: Record<EventLevel, number> = { error: 0x0001, warn: 0x0002, info: 0x0004 };
const EVENT_ID: Record<EventLevel, number> = { info: 1000, warn: 2000, error: 3000 };

export interface EventLog {
  write(level: EventLevel, message: string): boolean;
  close(): void;
}

export function openEventLog(source: string): EventLog {
  const lib = dlopen("advapi32.dll", {
    RegisterEventSourceW: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
    ReportEventW: { args: [FFIType.ptr, FFIType.u16, FFIType.u16, FFIType.u32, FFIType.ptr, FFIType.u16, FFIType.u32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    DeregisterEventSource: { args: [FFIType.ptr], returns: FFIType.i32 },
  });
  const name = Buffer.from(`${source}\0`, "utf16le");
  let handle: Pointer | bigint | null = lib.symbols.RegisterEventSourceW(null, ptr(name));
  return {
    write(level, message) {
      if (!handle) return false;
      // The event log caps one string at 31 839 characters.
      const text = Buffer.from(`${message.slice(0, 31_000)}\0`, "utf16le");
      const strings = new BigUint64Array([BigInt(ptr(text))]);
      return lib.symbols.ReportEventW(handle, TYPE[level], 0, EVENT_ID[level], null, 1, 0, ptr(strings), null) !== 0;
    },
    close() {
      if (handle) lib.symbols.DeregisterEventSource(handle);
      handle = null;
      lib.close();
    },
  };
}
