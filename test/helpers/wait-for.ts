// Bounded polling for tests: wait until a condition holds, or fail with the last error after a deadline.
import { connect } from "node:net";

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names what we wait for in the timeout error. */
  what?: string;
}

/**
 * The shortest wait: on a CI runner shared with other jobs (8 busy processes on 2 cores) a store write, a poll of a
 * peer or a process start can take seconds, and a 2 to 5 s bound failed there for no fault of Steward's. A wait
 * ends as soon as its condition holds, so the floor costs nothing when the test passes.
 */
export const MIN_WAIT_MS = 15_000;

/**
 * Calls `probe` until it returns a value other than `undefined`/`false` (a throw counts as "not yet"),
 * at most until `timeoutMs` (never less than MIN_WAIT_MS); then throws, naming `what` and the last error seen.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = Math.max(opts.timeoutMs ?? MIN_WAIT_MS, MIN_WAIT_MS);
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? "condition"}${why}`, {
        cause: lastError,
      });
    }
    await Bun.sleep(intervalMs);
  }
}

/** Resolves once a TCP connection to host:port succeeds (closed again at once). */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** Waits until host:port accepts TCP connections. */
export function waitForTcp(host: string, port: number, opts: WaitOptions = {}): Promise<true> {
  return waitFor(() => canConnect(host, port), { what: `TCP ${host}:${port}`, ...opts });
}

/** Waits until GET `url` answers with `status` (default: any 2xx). Returns that response. */
export function waitForHttp(url: string, opts: WaitOptions & { status?: number } = {}): Promise<Response> {
  return waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const ok = opts.status === undefined ? res.ok : res.status === opts.status;
      if (!ok) throw new Error(`HTTP ${res.status}`);
      return res;
    },
    { what: `GET ${url}`, ...opts },
  );
}
