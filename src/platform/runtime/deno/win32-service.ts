// The Windows service host's Win32 calls through Deno.dlopen (--allow-ffi). The SCM's callbacks are
// thread-safe UnsafeCallbacks: Deno runs them on the JavaScript thread while the caller's thread waits.
import type { Win32ServiceApi } from "../types";
import { deno, type DenoPointer } from "./api";

const wide = (s: string) => new Uint8Array(Buffer.from(`${s}\0`, "utf16le"));
const STILL_ACTIVE = 259;

export function bindWin32Service(): Win32ServiceApi {
  const advapi = deno.dlopen("advapi32.dll", {
    RegisterServiceCtrlHandlerExW: { parameters: ["buffer", "function", "pointer"], result: "pointer" },
    SetServiceStatus: { parameters: ["pointer", "buffer"], result: "i32" },
  });
  const kernel = deno.dlopen("kernel32.dll", {
    LoadLibraryW: { parameters: ["buffer"], result: "pointer" },
    GetProcAddress: { parameters: ["pointer", "buffer"], result: "pointer" },
    CreateThread: { parameters: ["pointer", "usize", "pointer", "buffer", "u32", "pointer"], result: "pointer" },
    GetExitCodeThread: { parameters: ["pointer", "buffer"], result: "i32" },
    GetLastError: { parameters: [], result: "u32" },
  });
  let handle: DenoPointer = null;
  let thread: DenoPointer = null;
  const exitCode = new Uint32Array(1);
  // Every buffer and callback the SCM holds a raw pointer to stays reachable for the life of the process.
  const keep: unknown[] = [advapi, kernel];
  (globalThis as Record<string, unknown>).__stewardScm = keep;
  const lastError = () => kernel.symbols.GetLastError() as number;

  return {
    startDispatcher(name, serviceMain) {
      const serviceName = wide(name);
      const main = deno.UnsafeCallback.threadSafe({ parameters: ["u32", "pointer"], result: "void" }, () => serviceMain());
      // SERVICE_TABLE_ENTRYW[2]: { name, ServiceMain }, then the null terminator.
      const table = new BigUint64Array(4);
      table[0] = deno.UnsafePointer.value(deno.UnsafePointer.of(serviceName));
      table[1] = deno.UnsafePointer.value(main.pointer);
      keep.push(serviceName, main, table);
      const lib = kernel.symbols.LoadLibraryW(wide("advapi32.dll")) as DenoPointer;
      const dispatcher = lib ? (kernel.symbols.GetProcAddress(lib, new TextEncoder().encode("StartServiceCtrlDispatcherW\0")) as DenoPointer) : null;
      if (!lib || !dispatcher) return "StartServiceCtrlDispatcherW not found in advapi32.dll";
      // The thread runs StartServiceCtrlDispatcherW(table): same x64 shape as a thread start routine.
      thread = kernel.symbols.CreateThread(null, 0n, dispatcher, table, 0, null) as DenoPointer;
      return thread ? undefined : `CreateThread failed (error ${lastError()})`;
    },
    dispatcherExited() {
      return thread !== null && kernel.symbols.GetExitCodeThread(thread, exitCode) !== 0 && exitCode[0] !== STILL_ACTIVE;
    },
    registerControlHandler(name, onControl) {
      const serviceName = wide(name);
      const handler = deno.UnsafeCallback.threadSafe({ parameters: ["u32", "u32", "pointer", "pointer"], result: "u32" }, (control) =>
        onControl(control as number),
      );
      keep.push(serviceName, handler);
      handle = advapi.symbols.RegisterServiceCtrlHandlerExW(serviceName, handler.pointer, null) as DenoPointer;
      return handle !== null;
    },
    setServiceStatus(status) {
      if (handle === null) return false;
      if (!keep.includes(status)) keep.push(status);
      return advapi.symbols.SetServiceStatus(handle, status) !== 0;
    },
    lastError,
  };
}
