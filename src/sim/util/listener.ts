// An HTTP(S) listener that can be taken down and brought back on the same port (to refuse connections on demand).
import { type Timer, wallClock } from "../../platform/core/clock";
import type { ServedHttp } from "../../platform/runtime";
import { SimError } from "../errors";

export interface Listener {
  /** Binds (port 0 = any free port) and returns the bound port. */
  start(): number;
  /** Closes the port (connections are refused) for `ms`, or until `up()` when ms is left out. */
  down(ms?: number): void;
  up(): void;
  isUp(): boolean;
  port(): number;
  stop(): void;
}

export function createListener(name: string, port: number, serve: (port: number) => ServedHttp, onError: (err: Error) => void = () => {}): Listener {
  let server: ServedHttp | undefined;
  let bound = port;
  let timer: Timer | undefined;
  let stopped = false;

  const open = () => {
    try {
      server = serve(bound);
    } catch (cause) {
      throw new SimError("LISTEN_FAILED", `${name}: cannot listen on port ${bound}: ${(cause as Error).message}`, { cause });
    }
    bound = server.port || bound;
  };
  const close = () => {
    void server?.stop(false);
    server = undefined;
  };
  const clearTimer = () => {
    if (timer) wallClock.clearTimeout(timer);
    timer = undefined;
  };

  return {
    start() {
      open();
      return bound;
    },
    down(ms) {
      clearTimer();
      close();
      if (ms === undefined) return;
      timer = wallClock.setTimeout(() => {
        timer = undefined;
        if (stopped || server) return;
        try {
          open();
        } catch (err) {
          onError(err as Error);
        }
      }, ms);
    },
    up() {
      clearTimer();
      if (!server && !stopped) open();
    },
    isUp: () => server !== undefined,
    port: () => bound,
    stop() {
      stopped = true;
      clearTimer();
      close();
    },
  };
}
