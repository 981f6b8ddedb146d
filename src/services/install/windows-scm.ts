// Runs Steward as a native Windows service through bun:ffi, without a wrapper executable. The Service Control
// Manager requires a thread blocked in StartServiceCtrlDispatcherW; JavaScript cannot block its only thread, so
// that function is started as the entry point of a native thread (CreateThread), and the SCM's callbacks
// (ServiceMain, HandlerEx) are thread-safe JSCallbacks that Bun queues onto the JavaScript thread.
// Only loaded on Windows (dynamic import from the CLI).
import { dlopen, FFIType, JSCallback, ptr, type Pointer } from "bun:ffi";

const SERVICE_WIN32_OWN_PROCESS = 0x10;
const STATE = { STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, RUNNING: 4 } as const;
const ACCEPT_STOP = 0x1;
const ACCEPT_SHUTDOWN = 0x4;
const CONTROL = { STOP: 1, INTERROGATE: 4, SHUTDOWN: 5 } as const;
const ERROR_SERVICE_SPECIFIC_ERROR = 1066;
const NO_ERROR = 0;

export interface ServiceHooks {
  /** Starts Steward; a rejection reports the service as failed (the recovery actions then apply). */
  start(): Promise<void>;
  /** Stops Steward; the SCM is told STOP_PENDING with a wait hint meanwhile. */
  stop(): Promise<void>;
  note(message: string, details?: Record<string, unknown>): void;
}

const wide = (s: string) => Buffer.from(`${s}\0`, "utf16le");

/** Resolves with the process exit code once the SCM has been told the service stopped. */
export function runAsWindowsService(name: string, hooks: ServiceHooks, opts: { connectTimeoutMs?: number } = {}): Promise<number> {
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

  const serviceName = wide(name);
  // SERVICE_STATUS: seven DWORDs.
  const status = new Uint32Array(7);
  let handle: Pointer | bigint | null = null;
  let checkpoint = 0;
  let stopping = false;

  const report = (state: number, opts2: { waitHint?: number; exitCode?: number } = {}) => {
    const pending = state === STATE.START_PENDING || state === STATE.STOP_PENDING;
    status[0] = SERVICE_WIN32_OWN_PROCESS;
    status[1] = state;
    status[2] = state === STATE.RUNNING ? ACCEPT_STOP | ACCEPT_SHUTDOWN : 0;
    status[3] = opts2.exitCode ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
    status[4] = opts2.exitCode ?? 0;
    status[5] = pending ? ++checkpoint : 0;
    status[6] = pending ? (opts2.waitHint ?? 30_000) : 0;
    if (handle === null) return;
    if (advapi.symbols.SetServiceStatus(handle, ptr(status)) === 0) {
      hooks.note("SetServiceStatus failed", { state, error: kernel.symbols.GetLastError() });
    }
  };

  return new Promise<number>((resolveExit) => {
    let connected = false;

    const stopService = async (why: string) => {
      if (stopping) return;
      stopping = true;
      hooks.note("service stop requested", { by: why });
      report(STATE.STOP_PENDING, { waitHint: 20_000 });
      // Keep the SCM informed while in-flight work drains.
      const tick = setInterval(() => report(STATE.STOP_PENDING, { waitHint: 20_000 }), 5_000);
      let code = 0;
      try {
        await hooks.stop();
      } catch (err) {
        code = 1;
        hooks.note("error while stopping", { err: (err as Error).message });
      } finally {
        clearInterval(tick);
      }
      report(STATE.STOPPED, { exitCode: code });
      resolveExit(code);
    };

    const handler = new JSCallback(
      (control: number) => {
        if (control === CONTROL.STOP || control === CONTROL.SHUTDOWN) void stopService(control === CONTROL.STOP ? "SCM stop" : "system shutdown");
        else if (control === CONTROL.INTERROGATE) report(status[1] || STATE.RUNNING);
        return NO_ERROR;
      },
      { args: [FFIType.u32, FFIType.u32, FFIType.ptr, FFIType.ptr], returns: FFIType.u32, threadsafe: true },
    );

    const serviceMain = new JSCallback(
      () => {
        connected = true;
        handle = advapi.symbols.RegisterServiceCtrlHandlerExW(ptr(serviceName), handler.ptr, null);
        if (handle === null) {
          hooks.note("RegisterServiceCtrlHandlerExW failed", { error: kernel.symbols.GetLastError() });
          resolveExit(1);
          return;
        }
        report(STATE.START_PENDING, { waitHint: 60_000 });
        hooks.start().then(
          () => {
            if (!stopping) report(STATE.RUNNING);
            hooks.note("service running");
          },
          (err: Error) => {
            hooks.note("service failed to start", { err: err.message });
            stopping = true;
            report(STATE.STOPPED, { exitCode: 1 });
            resolveExit(1);
          },
        );
      },
      { args: [FFIType.u32, FFIType.ptr], returns: FFIType.void, threadsafe: true },
    );

    // SERVICE_TABLE_ENTRYW[2]: { name, ServiceMain }, then the null terminator.
    const table = new BigUint64Array(4);
    table[0] = BigInt(ptr(serviceName));
    table[1] = BigInt(serviceMain.ptr as unknown as number);
    const lib = kernel.symbols.LoadLibraryW(ptr(wide("advapi32.dll")));
    const dispatcher = kernel.symbols.GetProcAddress(lib, ptr(Buffer.from("StartServiceCtrlDispatcherW\0", "latin1")));
    if (!lib || !dispatcher) {
      hooks.note("StartServiceCtrlDispatcherW not found in advapi32.dll");
      resolveExit(1);
      return;
    }
    // The thread runs StartServiceCtrlDispatcherW(table): same x64 shape as a thread start routine.
    const thread = kernel.symbols.CreateThread(null, 0, dispatcher, ptr(table), 0, null);
    if (!thread) {
      hooks.note("CreateThread failed", { error: kernel.symbols.GetLastError() });
      resolveExit(1);
      return;
    }
    // Keep every buffer and callback reachable for the life of the process: the SCM holds raw pointers.
    (globalThis as Record<string, unknown>).__stewardScm = [serviceName, status, table, handler, serviceMain, advapi, kernel];

    // Not started by the SCM (e.g. run from a console): the dispatcher returns FALSE at once.
    const exitCode = new Uint32Array(1);
    const started = Date.now();
    const watch = setInterval(() => {
      if (connected) {
        clearInterval(watch);
        return;
      }
      const STILL_ACTIVE = 259;
      const done = kernel.symbols.GetExitCodeThread(thread, ptr(exitCode)) !== 0 && exitCode[0] !== STILL_ACTIVE;
      if (done || Date.now() - started > (opts.connectTimeoutMs ?? 30_000)) {
        clearInterval(watch);
        hooks.note("not started by the Service Control Manager; use 'steward service start' or 'steward run'");
        resolveExit(2);
      }
    }, 100);
  });
}
