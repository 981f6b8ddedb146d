// The floor and several Steward binaries (or one binary under several environments) up together and pinged in turns
// (bench-ping-turns.ts: wrk -t1 -c20, 3 s runs), each against the floor of its turn (issue 89). For taking a ping's
// cost apart: a scratch build whose request path reads switches from an environment variable, run as several
// variants side by side, shows what each part adds over the floor in one sitting. The order of the targets is
// reversed every other round: turns only rotate it, so with many targets each kept nearly the same place in the
// turn, and a load that rose within a turn was taken for the cost of the targets measured late.
//   bun scripts/bench-ping-variants.ts [--rounds 3] [--turns 2] NAME=BIN[,ENV=VALUE…] …
// e.g. `main=dist/a/steward-linux-x64 bare=dist/x/steward-linux-x64,STEWARD_EXP=bun`.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { WrkRun } from "./bench-floor-rows";
import { formatRatio, pingRatio, pingTurns, type PingTarget } from "./bench-ping-turns";
import { freePort, startTarget, waitFor200 } from "./bench-proc";
import { startSteward } from "./bench-targets";
import { ensureWrk } from "./bench-wrk";
import { buildBinaries } from "./build";

const REPO_ROOT = resolve(import.meta.dir, "..");
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

export interface Variant {
  name: string;
  bin: string;
  env: Record<string, string>;
}

/** "NAME=BIN[,ENV=VALUE…]" → a variant; throws naming the argument when it is not of that form. */
export function parseVariant(arg: string): Variant {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new Error(`"${arg}": expected NAME=BIN[,ENV=VALUE…]`);
  const [bin, ...pairs] = arg.slice(eq + 1).split(",");
  if (!bin) throw new Error(`"${arg}": no binary after "${arg.slice(0, eq + 1)}"`);
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new Error(`"${arg}": "${p}" is not ENV=VALUE`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return { name: arg.slice(0, eq), bin: resolve(bin), env };
}

/** The targets of round `round` (0-based): as given, reversed every other round. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...targets] : [...targets].reverse();
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { rounds: { type: "string" }, turns: { type: "string" } }, allowPositionals: true });
  const variants = positionals.map(parseVariant);
  if (variants.length === 0) throw new Error("usage: bench-ping-variants.ts [--rounds N] [--turns N] NAME=BIN[,ENV=VALUE…] …");
  ensureWrk();
  const workDir = join(REPO_ROOT, ".tmp", "bench-ping-variants");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [ref] = await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-floor-target.ts"), outDir: join(workDir, "ref") });
  const all: Record<string, WrkRun[]> = {};
  for (let round = 0; round < Number(values.rounds ?? 3); round++) {
    console.log(`round ${round + 1}, load ${loadAverage()}`);
    const port = await freePort();
    const floor = startTarget([ref!.path, "floor", String(port)], { logFile: join(workDir, "floor.log") });
    const started: { stop(): Promise<void> }[] = [floor];
    try {
      await waitFor200(`http://127.0.0.1:${port}/v4/butlerping`, performance.now());
      const targets: PingTarget[] = [{ name: "floor", url: `http://127.0.0.1:${port}`, pid: floor.pid }];
      for (const v of variants) {
        const t = await startSteward(v.bin, join(workDir, v.name), "", v.env);
        started.push(t.proc);
        targets.push({ name: v.name, url: t.url, pid: t.proc.pid });
      }
      await Bun.sleep(5_000);
      const runs = await pingTurns(roundOrder(targets, round), {
        turns: Number(values.turns ?? 2),
        onTurn: (turn, rs) =>
          console.log(
            `  turn ${turn + 1}: ${Object.entries(rs)
              .map(([n, r]) => `${n} ${r.cpuUsPerRequest.toFixed(2)} µs (main thread's user ${r.mainUserUsPerRequest?.toFixed(2)})`)
              .join(", ")} | load ${loadAverage()}`,
          ),
      });
      for (const [name, list] of Object.entries(runs)) (all[name] ??= []).push(...list);
    } finally {
      for (const s of started.reverse()) await s.stop();
    }
  }
  for (const v of variants) console.log(`${v.name} against the floor: ${formatRatio(pingRatio(all[v.name]!, all.floor!))}`);
  // The main thread's user time: where the gap is, without the socket's system time that moves with the load.
  const mainUser = (r: WrkRun) => r.mainUserUsPerRequest ?? Number.NaN;
  for (const v of variants) console.log(`${v.name} against the floor, main thread's user time: ${formatRatio(pingRatio(all[v.name]!, all.floor!, mainUser))}`);
  const [first, ...others] = variants;
  for (const v of others) {
    console.log(`${v.name} against ${first!.name}: ${formatRatio(pingRatio(all[v.name]!, all[first!.name]!))}`);
    console.log(`${v.name} against ${first!.name}, main thread's user time: ${formatRatio(pingRatio(all[v.name]!, all[first!.name]!, mainUser))}`);
  }
  console.log(`load at the end ${loadAverage()}`);
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench-ping-variants] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
