// CPU per failure datagram by thread of one Steward binary: bursts at the given rates (default 1,000 / 5,000 / 10,000
// a second for 5 s each, then 1,000 again warm), the CPU of each thread read from /proc/<pid>/task/*/stat before and
// after each burst and summed by thread name (the main thread, the JIT, the GC's helpers, Bun's pools), with the
// processed runs counted from Steward's metrics. Where a datagram's CPU goes: issue 89.
//   bun scripts/bench-udp-threads.ts --steward BIN [--rates 1000,5000,10000,1000] [--seconds 5]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { failureRunsProcessed, startSteward } from "./bench-targets";
import { createUdpSender } from "./bench-udp-load";

const TICK_MS = 1000 / 100;

/** CPU ms of each thread of `pid`, summed by thread name. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = tid === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\d+$/, "#");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * TICK_MS);
  }
  return out;
}

const { values } = parseArgs({ options: { steward: { type: "string" }, rates: { type: "string" }, seconds: { type: "string" } } });
if (!values.steward) throw new Error("--steward BIN is required");
const rates = (values.rates ?? "1000,5000,10000,1000").split(",").map(Number);
const ms = Number(values.seconds ?? 5) * 1000;
const dir = mkdtempSync(join(tmpdir(), "udp-threads-"));
const s = await startSteward(resolve(values.steward), dir);
try {
  await Bun.sleep(5_000);
  for (const rate of rates) {
    const sender = await createUdpSender(s.udpPort);
    const [p0, c0] = [await failureRunsProcessed(s.url), threadCpu(s.proc.pid)];
    let sent = 0;
    try {
      sent = await sender.paced(rate, ms);
    } finally {
      sender.close();
    }
    let last = await failureRunsProcessed(s.url);
    const deadline = performance.now() + 20_000;
    while (last - p0 < sent && performance.now() < deadline) {
      await Bun.sleep(100);
      last = await failureRunsProcessed(s.url);
    }
    const c1 = threadCpu(s.proc.pid);
    const done = last - p0;
    const parts = [...c1].map(([k, v]) => [k, ((v - (c0.get(k) ?? 0)) * 1000) / Math.max(1, done)] as const).filter(([, v]) => v >= 0.5);
    const total = parts.reduce((a, [, v]) => a + v, 0);
    console.log(
      `${rate}/s: ${done}/${sent} processed, ${total.toFixed(0)} µs a datagram: ${parts
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(", ")}`,
    );
    await Bun.sleep(2_000);
  }
} finally {
  await s.proc.stop();
  rmSync(dir, { recursive: true, force: true });
}
