// The process's limit on open files (sockets count), where the OS has one to read: a flood of connections that
// reaches it stops a listener from accepting anyone until connections are closed again.
import { readFileSync } from "node:fs";
import type { Logger } from "pino";

/** The soft limit on open files of this process (Linux /proc), or undefined where there is none to read. */
export function openFileLimit(read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(read("/proc/self/limits"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Below this, a few thousand idle connections exhaust the limit. Bun raises the soft limit to the hard one at start. */
const LOW_FILE_LIMIT = 4096;

/** True when the limit is low enough for a flood of idle connections to reach it. */
export function isLowFileLimit(limit = openFileLimit()): boolean {
  return limit !== undefined && limit < LOW_FILE_LIMIT;
}

/** Warns at a listener's start when the open-file limit is low enough for a connection flood to reach it. */
export function warnOnLowFileLimit(log: Logger, limit = openFileLimit()): void {
  if (!isLowFileLimit(limit)) return;
  log.warn(
    { openFileLimit: limit },
    `the open-file limit is ${limit}: a flood of idle connections can use every descriptor, and then the REST API accepts nobody until they time out; raise it (LimitNOFILE= in the systemd unit, or ulimit -Hn) to ${LOW_FILE_LIMIT} or more`,
  );
}
