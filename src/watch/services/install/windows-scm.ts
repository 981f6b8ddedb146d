// Runs Steward as a native Windows service, without a wrapper executable: the SERVICE_STATUS conversation with
// the Service Control Manager. The Win32 calls go through the runtime's FFI (src/platform/runtime/*/win32-service.ts):
// StartServiceCtrlDispatcherW blocks a native thread, and the SCM's callbacks (ServiceMain, HandlerEx) are
// thread-safe callbacks run on the JavaScript thread.
import { every, wallClock } from "../../../platform/core/clock";
import { runtime, type Win32ServiceApi } from "../../../platform/runtime";

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

/** Resolves with the process exit code once the SCM has been told the service stopped. */
export async function runAsWindowsService(name: string, hooks: ServiceHooks, opts: { connectTimeoutMs?: number } = {}): Promise<number> {
  return serveScm(await runtime.win32Service(), name, hooks, opts);
}

function serveScm(win32: Win32ServiceApi, name: string, hooks: ServiceHooks, opts: { connectTimeoutMs?: number }): Promise<number> {
  // SERVICE_STATUS: seven DWORDs.
  const status = new Uint32Array(7);
  let registered = false;
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
    if (!registered) return;
    if (!win32.setServiceStatus(status)) hooks.note("SetServiceStatus failed", { state, error: win32.lastError() });
  };

  return new Promise<number>((resolveExit) => {
    let connected = false;

    const stopService = async (why: string) => {
      if (stopping) return;
      stopping = true;
      hooks.note("service stop requested", { by: why });
      report(STATE.STOP_PENDING, { waitHint: 20_000 });
      // Keep the SCM informed while in-flight work drains.
      const stopTicks = every(wallClock, 5_000, () => report(STATE.STOP_PENDING, { waitHint: 20_000 }));
      let code = 0;
      try {
        await hooks.stop();
      } catch (err) {
        code = 1;
        hooks.note("error while stopping", { err: (err as Error).message });
      } finally {
        stopTicks();
      }
      report(STATE.STOPPED, { exitCode: code });
      resolveExit(code);
    };

    const onControl = (control: number) => {
      if (control === CONTROL.STOP || control === CONTROL.SHUTDOWN) void stopService(control === CONTROL.STOP ? "SCM stop" : "system shutdown");
      else if (control === CONTROL.INTERROGATE) report(status[1] || STATE.RUNNING);
      return NO_ERROR;
    };

    const serviceMain = () => {
      connected = true;
      registered = win32.registerControlHandler(name, onControl);
      if (!registered) {
        hooks.note("RegisterServiceCtrlHandlerExW failed", { error: win32.lastError() });
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
    };

    const problem = win32.startDispatcher(name, serviceMain);
    if (problem) {
      hooks.note(problem);
      resolveExit(1);
      return;
    }

    // Not started by the SCM (e.g. run from a console): the dispatcher returns FALSE at once.
    const started = Date.now();
    const stopWatch = every(wallClock, 100, () => {
      if (connected) {
        stopWatch();
        return;
      }
      if (win32.dispatcherExited() || Date.now() - started > (opts.connectTimeoutMs ?? 30_000)) {
        stopWatch();
        hooks.note("not started by the Service Control Manager; use 'steward service start' or 'steward run'");
        resolveExit(2);
      }
    });
  });
}
