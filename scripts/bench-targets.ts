// Starting the two kinds of benchmark target: the compiled Steward binary (on a config written into a work
// folder) and the bare-runtime baseline binary. Each start is timed until the target answers HTTP 200.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, freeUdpPort, startTarget, waitFor200, type BenchProcess } from "./bench-proc";

export interface StewardTarget {
  proc: BenchProcess;
  url: string;
  udpPort: number;
  /** Milliseconds from spawn until GET /ready answered 200. */
  startMs: number;
}

export interface BaselineTarget {
  proc: BenchProcess;
  url: string;
  udpPort?: number;
  startMs: number;
}

/** Writes `steward.yaml` into `dir` (data in dir/data) and starts the binary on it (`env` added to its environment). */
export async function startSteward(bin: string, dir: string, extraYaml = "", env?: Record<string, string>): Promise<StewardTarget> {
  mkdirSync(dir, { recursive: true });
  const [httpPort, udpPort] = [await freePort(), await freeUdpPort()];
  const yaml = [
    "dataDir: ./data",
    "logging: { level: info, format: json }",
    `http: { host: 127.0.0.1, port: ${httpPort} }`,
    `udp: { host: 127.0.0.1, port: ${udpPort} }`,
    extraYaml,
  ].join("\n");
  writeFileSync(join(dir, "steward.yaml"), yaml);
  const t0 = performance.now();
  const proc = startTarget([bin, "run", "--config", join(dir, "steward.yaml")], { cwd: dir, logFile: join(dir, "steward.log"), ...(env ? { env } : {}) });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    const startMs = await Promise.race([
      waitFor200(`${url}/ready`, t0),
      proc.proc.exited.then((code) => {
        throw new Error(`steward exited with ${code} during start (see ${join(dir, "steward.log")})`);
      }),
    ]);
    return { proc, url, udpPort, startMs };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/** Starts the baseline binary in `http`, `udp` or `relay` (datagram → SMTP at `smtpPort`) mode. */
export async function startBaseline(bin: string, mode: "http" | "udp" | "relay", logFile: string, smtpPort?: number): Promise<BaselineTarget> {
  const httpPort = await freePort();
  const udpPort = mode === "http" ? undefined : await freeUdpPort();
  const argv =
    mode === "http" ? [bin, "http", String(httpPort)] : [bin, mode, String(udpPort), String(httpPort), ...(mode === "relay" ? [String(smtpPort)] : [])];
  const t0 = performance.now();
  const proc = startTarget(argv, { logFile });
  const url = `http://127.0.0.1:${httpPort}`;
  const path = mode === "udp" ? "/count" : "/";
  const startMs = await waitFor200(`${url}${path}`, t0);
  return { proc, url, udpPort, startMs };
}

/** Failure runs a Steward processed so far: the task.failed samples of `steward_intake_events_emitted_total` in its metrics. */
export async function failureRunsProcessed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("steward_intake_events_emitted_total{") && line.includes('kind="task.failed"')) n += Number(line.slice(line.lastIndexOf(" ") + 1));
  return n;
}
