// Two Steward binaries side by side in one run, alternating, beside the bare runtime: REST rows (ping, KV set,
// KV get) with requests/s and the target's CPU time per request, and the UDP intake at paced rates with events
// processed and CPU per event. On a shared machine the CPU per request or event is the figure to compare.
//   bun scripts/bench-compare.ts <before-binary> <after-binary> [rounds=2]
// The bare runtime's binary is built into .tmp/bench-compare; the targets run on loopback in temporary folders.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBinaries } from "./build";
import { runHttpLoad, type HttpRequestSpec } from "./bench-http-load";
import { cpuMs } from "./bench-proc";
import { startBaseline, startSteward } from "./bench-targets";
import { createUdpSender } from "./bench-udp-load";
import { sumMetric } from "./bench-udp";

const REPO_ROOT = resolve(import.meta.dir, "..");
const VALUE = JSON.stringify("x".repeat(64));
const ROWS: Record<string, (i: number) => HttpRequestSpec> = {
  ping: () => ({ method: "GET", path: "/v4/butlerping" }),
  kvSet: (i) => ({ method: "POST", path: "/v4/keyvalues/bench", body: `{"key":"k${i % 500}","value":${VALUE}}` }),
  kvGet: (i) => ({ method: "GET", path: `/v4/keyvalues/bench?key=k${i % 500}` }),
};
const UDP_RATES = [4_000, 8_000];
const LOAD = { connections: 50, durationMs: 5_000, warmupMs: 1_000 };

async function load(pid: number, url: string, request: (i: number) => HttpRequestSpec) {
  const u = new URL(url);
  const before = cpuMs(pid);
  const r = await runHttpLoad({ host: u.hostname, port: Number(u.port), ...LOAD, request });
  const all = r.requests + Math.round((r.rps * LOAD.warmupMs) / 1000);
  return { rps: r.rps, p99Ms: r.p99Ms, errors: r.errors, cpuUs: Math.round(((cpuMs(pid) - before) * 1000) / Math.max(1, all)) };
}

async function udp(url: string, pid: number, port: number, rate: number) {
  const metric = async (name: string) => sumMetric(await (await fetch(`${url}/metrics`)).text(), [name]) ?? 0;
  const sender = await createUdpSender(port);
  try {
    const [e0, d0, c0] = [await metric("steward_intake_events_emitted_total"), await metric("steward_intake_dropped_total"), cpuMs(pid)];
    const sent = await sender.paced(rate, 3_000);
    await Bun.sleep(1_000);
    const emitted = (await metric("steward_intake_events_emitted_total")) - e0;
    const dropped = (await metric("steward_intake_dropped_total")) - d0;
    return { sent, emitted, dropped, cpuUsPerEvent: Math.round(((cpuMs(pid) - c0) * 1000) / Math.max(1, emitted)) };
  } finally {
    sender.close();
  }
}

async function main(): Promise<void> {
  const [before, after, roundsArg] = process.argv.slice(2);
  if (!before || !after) throw new Error("usage: bun scripts/bench-compare.ts <before-binary> <after-binary> [rounds]");
  const workDir = join(REPO_ROOT, ".tmp", "bench-compare");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [bare] = await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-baseline.ts"), outDir: join(workDir, "baseline") });
  for (let round = 0; round < Number(roundsArg ?? 2); round++) {
    const b = await startBaseline(bare!.path, "http", join(workDir, "baseline.log"));
    try {
      console.log(`round ${round} bare hello ${JSON.stringify(await load(b.proc.pid, b.url, () => ({ method: "GET", path: "/" })))}`);
    } finally {
      await b.proc.stop();
    }
    for (const [name, bin] of [
      ["before", before],
      ["after", after],
    ] as const) {
      const t = await startSteward(resolve(bin), join(workDir, `${name}-${round}`));
      try {
        for (const [row, request] of Object.entries(ROWS))
          console.log(`round ${round} ${name} ${row} ${JSON.stringify(await load(t.proc.pid, t.url, request))}`);
        for (const rate of UDP_RATES) console.log(`round ${round} ${name} udp ${rate}/s ${JSON.stringify(await udp(t.url, t.proc.pid, t.udpPort, rate))}`);
      } finally {
        await t.proc.stop();
      }
    }
  }
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench-compare] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
