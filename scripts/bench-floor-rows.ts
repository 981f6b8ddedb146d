// The measurements of `scripts/bench-floor.ts`, each on one running target (by PID and URL): idle memory from
// /proc, a wrk run with the target's CPU per request (the pings, in turns: bench-ping-turns.ts), KV set latency,
// and a paced burst of failure datagrams with the share processed and the CPU per processed datagram.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, mainThreadUserMs } from "./bench-proc";
import { createUdpSender, kernelUdpDrops } from "./bench-udp-load";
import { ensureWrk } from "./bench-wrk";

export interface IdleMemory {
  rssMiB: number;
  anonMiB: number;
}

/** VmRSS and RssAnon of `pid` once it has been idle for `ms` after answering. */
export async function idleMemory(pid: number, ms = 5_000): Promise<IdleMemory> {
  await Bun.sleep(ms);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kb("VmRSS") / 1024, anonMiB: kb("RssAnon") / 1024 };
}

export interface WrkRun {
  requests: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the target per request, µs (user + system from /proc over the measured run). */
  cpuUsPerRequest: number;
  /** User time of the target's main thread per request, µs (where a ping's gap over the floor is). */
  mainUserUsPerRequest?: number;
}

const unitMs = (n: string, unit: string) => Number(n) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);

/** Runs wrk with `args` against `url` and reads its request count, non-2xx count and latency percentiles. */
export async function wrk(args: string[], url: string, pid: number): Promise<WrkRun> {
  ensureWrk();
  const [before, userBefore] = [cpuMs(pid), mainThreadUserMs(pid)];
  const proc = Bun.spawn(["wrk", ...args, "--latency", url], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const [cpu, user] = [cpuMs(pid) - before, mainThreadUserMs(pid) - userBefore];
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err}${out}`);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    return m ? unitMs(m[1]!, m[2]!) : Number.NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?(\d+) timeout/.exec(out)?.[1] ?? 0);
  const per = (ms: number) => (ms * 1000) / Math.max(1, requests);
  return { requests, non2xx, p50Ms: pct("50"), p99Ms: pct("99"), cpuUsPerRequest: per(cpu), mainUserUsPerRequest: per(user) };
}

/** KV set latency at wrk -t2 -c50 against POST /v4/keyvalues/ns1, 500 keys in turn; 2 s warm-up first. */
export async function kvSetLatency(baseUrl: string, pid: number, workDir: string, seconds = 8): Promise<WrkRun> {
  const script = join(workDir, "kv-set.lua");
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      'wrk.headers["Content-Type"] = "application/json"',
      "local n = 0",
      "request = function()",
      "  n = n + 1",
      `  return wrk.format(nil, nil, nil, '{"key":"k' .. (n % 500) .. '","value":"${"x".repeat(64)}"}')`,
      "end",
    ].join("\n"),
  );
  const url = `${baseUrl}/v4/keyvalues/ns1`;
  await wrk(["-t2", "-c50", "-d2s", "-s", script], url, pid);
  return wrk(["-t2", "-c50", `-d${seconds}s`, "-s", script], url, pid);
}

export interface BurstRow {
  rate: number;
  sent: number;
  processed: number;
  /** Datagrams the kernel dropped on this machine during the step (receive buffers full). */
  kernelDrops: number;
  cpuUsPerProcessed: number;
}

/**
 * Offers `rate` failure datagrams a second for `ms` from one paced sender, then waits (at most 20 s) until
 * `processed()` stops moving for 1.5 s: the share processed counts what the target worked off after the burst too.
 */
export async function burst(udpPort: number, pid: number, processed: () => Promise<number>, rate: number, ms = 5_000): Promise<BurstRow> {
  const sender = await createUdpSender(udpPort);
  const [p0, c0, k0] = [await processed(), cpuMs(pid), kernelUdpDrops()];
  let sent = 0;
  try {
    sent = await sender.paced(rate, ms);
  } finally {
    sender.close();
  }
  let last = await processed();
  let stableSince = performance.now();
  const deadline = performance.now() + 20_000;
  while (last - p0 < sent && performance.now() < deadline && performance.now() - stableSince < 1_500) {
    await Bun.sleep(100);
    const now = await processed();
    if (now !== last) stableSince = performance.now();
    last = now;
  }
  const done = last - p0;
  return { rate, sent, processed: done, kernelDrops: kernelUdpDrops() - k0, cpuUsPerProcessed: ((cpuMs(pid) - c0) * 1000) / Math.max(1, done) };
}
