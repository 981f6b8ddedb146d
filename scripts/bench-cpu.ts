// CPU per request of Steward binaries beside the bare Bun.serve, measured so that a busy machine distorts it
// little: a fixed number of requests (not a fixed time), the target's own user and system time and minor page
// faults from /proc after a long warm-up (the JIT's compiles are done by then), several repetitions, targets
// interleaved, minimum and median printed. Wall-clock rates are not reported: on shared cores they say more about
// the other jobs than about Steward.
//   bun scripts/bench-cpu.ts [path=/v4/butlerping] [steward-binary ...]
// Without binaries, Steward is built from the working tree into .tmp/bench-cpu (as is the bare baseline).
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { buildBinaries } from "./build";
import { median } from "./bench-proc";
import { startBaseline, startSteward } from "./bench-targets";

const REPO_ROOT = resolve(import.meta.dir, "..");
const WARMUP = 30_000;
const REQUESTS = 20_000;
const REPS = 3;
const ROUNDS = 2;
const CONNECTIONS = 20;

interface ProcCounters {
  userMs: number;
  sysMs: number;
  minorFaults: number;
}

function counters(pid: number): ProcCounters {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // Fields after "(comm) ": state is [0], minflt [7], utime [11], stime [12] (clock ticks of 10 ms).
  return { minorFaults: Number(f[7]), userMs: Number(f[11]) * 10, sysMs: Number(f[12]) * 10 };
}

/** Sends `count` GETs of `path` over keep-alive connections, each sending its next once the answer is complete. */
export async function sendRequests(port: number, path: string, count: number, connections = CONNECTIONS): Promise<number> {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: bench-cpu\r\n\r\n`);
  let sent = 0;
  let ok = 0;
  const one = () =>
    new Promise<void>((done, fail) => {
      const socket = connect(port, "127.0.0.1");
      let buffered = "";
      const next = () => {
        if (sent >= count) return void socket.end(done);
        sent++;
        socket.write(request);
      };
      socket.on("connect", next);
      socket.on("error", fail);
      socket.on("data", (chunk) => {
        buffered += chunk.toString("latin1");
        for (;;) {
          const head = buffered.indexOf("\r\n\r\n");
          if (head < 0) return;
          const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, head))?.[1] ?? 0);
          if (buffered.length < head + 4 + length) return;
          if (buffered.startsWith("HTTP/1.1 200")) ok++;
          buffered = buffered.slice(head + 4 + length);
          next();
        }
      });
    });
  await Promise.all(Array.from({ length: connections }, one));
  return ok;
}

/** CPU (µs) and minor faults per request of `pid` over REPS batches of REQUESTS, after WARMUP requests. */
async function measure(pid: number, port: number, path: string): Promise<{ user: number[]; sys: number[]; faults: number[] }> {
  if ((await sendRequests(port, path, WARMUP)) !== WARMUP) throw new Error(`${path} did not answer 200 to every request`);
  const out = { user: [] as number[], sys: [] as number[], faults: [] as number[] };
  for (let rep = 0; rep < REPS; rep++) {
    const before = counters(pid);
    await sendRequests(port, path, REQUESTS);
    const after = counters(pid);
    out.user.push(((after.userMs - before.userMs) * 1000) / REQUESTS);
    out.sys.push(((after.sysMs - before.sysMs) * 1000) / REQUESTS);
    out.faults.push((after.minorFaults - before.minorFaults) / REQUESTS);
  }
  return out;
}

function line(label: string, m: { user: number[]; sys: number[]; faults: number[] }): string {
  const total = m.user.map((u, i) => u + m.sys[i]!);
  const f = (xs: number[]) => `min ${Math.min(...xs).toFixed(1)} median ${median(xs).toFixed(1)}`;
  return `${label.padEnd(28)} CPU µs/request ${f(total)} (user ${f(m.user)}; system ${f(m.sys)}); minor faults/request ${median(m.faults).toFixed(2)}`;
}

async function main(): Promise<void> {
  const [pathArg, ...bins] = process.argv.slice(2);
  const path = pathArg ?? "/v4/butlerping";
  const workDir = join(REPO_ROOT, ".tmp", "bench-cpu");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [bare] = await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-baseline.ts"), outDir: join(workDir, "baseline") });
  const stewards =
    bins.length > 0 ? bins.map((b) => resolve(b)) : [(await buildBinaries({ targets: ["linux-x64"], outDir: join(workDir, "steward") }))[0]!.path];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await startBaseline(bare!.path, "http", join(workDir, "baseline.log"));
    try {
      console.log(line(`round ${round} bare GET /`, await measure(b.proc.pid, Number(new URL(b.url).port), "/")));
    } finally {
      await b.proc.stop();
    }
    for (const [i, bin] of stewards.entries()) {
      const t = await startSteward(bin, join(workDir, `steward-${round}-${i}`));
      try {
        console.log(line(`round ${round} steward ${i} ${path}`, await measure(t.proc.pid, Number(new URL(t.url).port), path)));
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
      console.error(err);
      process.exit(1);
    },
  );
}
