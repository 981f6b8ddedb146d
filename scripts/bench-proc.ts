// Process helpers for `npm run bench`: start a target binary, time it until it answers, read its RSS from
// /proc, and stop it by PID with a bounded grace period.
import { openSync, closeSync, readFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

export interface BenchProcess {
  pid: number;
  proc: ReturnType<typeof Bun.spawn>;
  /** The first line of stdout matching /^READY/ (baseline targets), once seen. */
  readyLine: Promise<string>;
  stop(): Promise<void>;
}

/** Starts `argv` with stdout piped (scanned for READY; with `stdoutToLog`, into the log too) and stderr into `logFile`. */
export function startTarget(
  argv: string[],
  opts: { cwd?: string; logFile: string; stdoutToLog?: boolean /** Added to this process's environment. */; env?: Record<string, string> },
): BenchProcess {
  const fd = openSync(opts.logFile, "a");
  const env = opts.env ? { ...process.env, ...opts.env } : undefined;
  const proc = Bun.spawn(argv, { cwd: opts.cwd, stdin: "ignore", stdout: opts.stdoutToLog ? fd : "pipe", stderr: fd, ...(env ? { env } : {}) });
  closeSync(fd);
  // If the bench aborts, its targets must not outlive it.
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  void proc.exited.then(() => process.removeListener("exit", killOnExit));
  const readyLine = (async () => {
    if (opts.stdoutToLog) throw new Error(`${argv[0]}'s output goes to its log, not scanned for READY`);
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      const m = /^READY[^\n]*/m.exec(text);
      if (m) {
        void drain(proc.stdout as ReadableStream<Uint8Array>);
        return m[0];
      }
      if (text.length > 1_000_000) text = text.slice(-10_000);
    }
    throw new Error(`${argv[0]} exited before printing READY`);
  })();
  readyLine.catch(() => {});
  return {
    pid: proc.pid,
    proc,
    readyLine,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await proc.exited;
      clearTimeout(killer);
    },
  };
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  try {
    for await (const _ of stream) {
      // discard: the target keeps writing logs; a full pipe would block it
    }
  } catch {
    // stream closed
  }
}

/** Resident set size of a process in bytes (VmRSS from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (10 ms resolution). Unlike
 * wall time it does not grow when other work on a shared machine takes the cores.
 */
export function cpuMs(pid: number): number {
  const t = statTimes(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return t.userMs + t.systemMs;
}

/** User and system time in ms of a /proc stat line (the process's, or one thread's under /proc/<pid>/task/). */
export function statTimes(stat: string): { userMs: number; systemMs: number } {
  // The command name in parentheses may hold spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return { userMs: Number(fields[11]) * (1000 / 100), systemMs: Number(fields[12]) * (1000 / 100) };
}

/**
 * User time of a process's main thread so far, in ms (issue 89): most of a ping's gap over the floor is user time on
 * the main thread, while the system time (mostly the socket's, about half of a ping) moves most with the machine's
 * load, so this is the steadier measure of a change to the request path.
 */
export function mainThreadUserMs(pid: number): number {
  return statTimes(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")).userMs;
}

/** Private (anonymous) resident memory in bytes: what the process itself allocated, not shared file pages. */
export function privateRssBytes(pid: number): number {
  const m = /^Pss_Anon:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** Polls `url` every 2 ms until it answers 200; resolves with the milliseconds since `since`. */
export async function waitFor200(url: string, since: number, timeoutMs = 20_000): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await Bun.sleep(2);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") return reject(new Error("no port"));
      srv.close(() => resolve(addr.port));
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket("udp4");
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}
