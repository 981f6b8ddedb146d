// The Windows service host's Win32 calls through bun:ffi. The SCM's callbacks (ServiceMain, HandlerEx) are
// thread-safe JSCallbacks that Bun queues onto the JavaScript thread.
import { dlopen, FFIType, JSCallback, ptr, type Pointer } from "bun:ffi";
import type { Win32ServiceApi } from "../types";

const wide = (s: string) => Buffer.from(`${s}\0`, "utf16le");
const STILL_ACTIVE = 259;

export function bindWin32Service(): Win32ServiceApi {
  const advapi = dlopen("advapi32.dll", {
    RegisterServiceCtrlHandlerExW: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
    SetServiceStatus: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  });
  const kernel = dlopen("kernel32.dll", {
    LoadLibraryW: { args: [FFIType.ptr], returns: FFIType.ptr },
    GetProcAddress: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
    CreateThread: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr, FFIType.u32, FFIType.ptr], returns: FFIType.ptr },
    GetExitCodeThread: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    GetLastError: { args: [], returns: FFIType.u32 },
  });
  let handle: Pointer | bigint | null = null;
  let thread: Pointer | bigint | null = null;
  const exitCode = new Uint32Array(1);
  // Every buffer and callback the SCM holds a raw pointer to stays reachable for the life of the process.
  const keep: unknown[] = [advapi, kernel];
  (globalThis as Record<string, unknown>).__stewardScm = keep;

  return {
    startDispatcher(name, serviceMain) {
      const serviceName = wide(name);
      const main = new JSCallback(() => serviceMain(), { args: [FFIType.u32, FFIType.ptr], returns: FFIType.void, threadsafe: true });
      // SERVICE_TABLE_ENTRYW[2]: { name, ServiceMain }, then the null terminator.
      const table = new BigUint64Array(4);
      table[0] = BigInt(ptr(serviceName));
      table[1] = BigInt(main.ptr as unknown as number);
      keep.push(serviceName, main, table);
      const lib = kernel.symbols.LoadLibraryW(ptr(wide("advapi32.dll")));
      const dispatcher = kernel.symbols.GetProcAddress(lib, ptr(Buffer.from("StartServiceCtrlDispatcherW\0", "latin1")));
      if (!lib || !dispatcher) return "StartServiceCtrlDispatcherW not found in advapi32.dll";
      // The thread runs StartServiceCtrlDispatcherW(table): same x64 shape as a thread start routine.
      thread = kernel.symbols.CreateThread(null, 0, dispatcher, ptr(table), 0, null);
      return thread ? undefined : `CreateThread failed (error ${kernel.symbols.GetLastError()})`;
    },
    dispatcherExited() {
      return thread !== null && kernel.symbols.GetExitCodeThread(thread, ptr(exitCode)) !== 0 && exitCode[0] !== STILL_ACTIVE;
    },
    registerControlHandler(name, onControl) {
      const serviceName = wide(name);
      const handler = new JSCallback((control: number) => onControl(control), {
        args: [FFIType.u32, FFIType.u32, FFIType.ptr, FFIType.ptr],
        returns: FFIType.u32,
        threadsafe: true,
      });
      keep.push(serviceName, handler);
      handle = advapi.symbols.RegisterServiceCtrlHandlerExW(ptr(serviceName), handler.ptr, null);
      return handle !== null;
    },
    setServiceStatus(status) {
      if (handle === null) return false;
      if (!keep.includes(status)) keep.push(status);
      return advapi.symbols.SetServiceStatus(handle, ptr(status)) !== 0;
    },
    lastError: () => kernel.symbols.GetLastError(),
  };
}
