// The Application event log through bun:ffi (RegisterEventSourceW/ReportEventW).
import { dlopen, FFIType, ptr, type Pointer } from "bun:ffi";
import type { Win32EventSource } from "../types";

export function openEventSource(source: string): Win32EventSource | undefined {
  const lib = dlopen("advapi32.dll", {
    RegisterEventSourceW: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
    ReportEventW: {
      args: [FFIType.ptr, FFIType.u16, FFIType.u16, FFIType.u32, FFIType.ptr, FFIType.u16, FFIType.u32, FFIType.ptr, FFIType.ptr],
      returns: FFIType.i32,
    },
    DeregisterEventSource: { args: [FFIType.ptr], returns: FFIType.i32 },
  });
  const name = Buffer.from(`${source}\0`, "utf16le");
  let handle: Pointer | bigint | null = lib.symbols.RegisterEventSourceW(null, ptr(name));
  if (!handle) {
    lib.close();
    return undefined;
  }
  return {
    report(type, eventId, message) {
      if (!handle) return false;
      const text = Buffer.from(`${message}\0`, "utf16le");
      const strings = new BigUint64Array([BigInt(ptr(text))]);
      return lib.symbols.ReportEventW(handle, type, 0, eventId, null, 1, 0, ptr(strings), null) !== 0;
    },
    close() {
      if (handle) lib.symbols.DeregisterEventSource(handle);
      handle = null;
      lib.close();
    },
  };
}
