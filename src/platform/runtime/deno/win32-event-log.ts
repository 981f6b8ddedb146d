// The Application event log through Deno.dlopen (RegisterEventSourceW/ReportEventW).
import type { Win32EventSource } from "../types";
import { deno, type DenoPointer } from "./api";

const wide = (s: string) => new Uint8Array(Buffer.from(`${s}\0`, "utf16le"));

export function openEventSource(source: string): Win32EventSource | undefined {
  const lib = deno.dlopen("advapi32.dll", {
    RegisterEventSourceW: { parameters: ["pointer", "buffer"], result: "pointer" },
    ReportEventW: { parameters: ["pointer", "u16", "u16", "u32", "pointer", "u16", "u32", "buffer", "pointer"], result: "i32" },
    DeregisterEventSource: { parameters: ["pointer"], result: "i32" },
  });
  let handle = lib.symbols.RegisterEventSourceW(null, wide(source)) as DenoPointer;
  if (!handle) {
    lib.close();
    return undefined;
  }
  return {
    report(type, eventId, message) {
      if (!handle) return false;
      const text = wide(message);
      const strings = new BigUint64Array([deno.UnsafePointer.value(deno.UnsafePointer.of(text))]);
      return lib.symbols.ReportEventW(handle, type, 0, eventId, null, 1, 0, strings, null) !== 0;
    },
    close() {
      if (handle) lib.symbols.DeregisterEventSource(handle);
      handle = null;
      lib.close();
    },
  };
}
