// Two Steward binaries side by side (issue 89). Each round starts the floor, A and B afresh and together, lets them
// idle 5 s after ready, then measures the CPU per GET /v4/butlerping of the three in turns (bench-ping-turns.ts:
// wrk -t1 -c20, 3 s runs, the order rotated each turn), so a run of A or B and the floor's of the same turn are
// seconds apart on the same machine; the summary gives each binary's ratio to the floor over every turn (of the
// medians, and each turn's). Then, with --only udp, failure datagrams at 1k/5k/10k a second for 5 s each (burst) to
// A and to B, each started afresh, with the share stored (run-history rows) and the CPU per processed datagram.
// Steward runs on the benches' config (bench-targets.ts: loopback listener, no API keys: the default a new install
// and a site switching from Butler start with); --yaml adds lines to it (e.g. `security: { apiKeys: … }`).
//   bun scripts/bench-floor-ab.ts --a BIN --b BIN [--rounds 3] [--turns 3] [--only ping,udp] [--yaml TEXT]
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildBinaries } from "./build";
import { burst } from "./bench-floor-rows";
import { formatRatio, pingRatio, pingTurns } from "./bench-ping-turns";
import type { WrkRun } from "./bench-floor-rows";
import { freePort, startTarget, waitFor200 } from "./bench-proc";
import { ensureWrk } from "./bench-wrk";
import { failureRunsProcessed, startSteward } from "./bench-targets";

const REPO_ROOT = resolve(import.meta.dir, "..");
const RATES = [1_000, 5_000, 10_000];

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** The floor, A and B up together, idle 5 s, then pinged in turns; the runs by name. */
async function pingRound(floorBin: string, a: string, b: string, dir: string, turns: number, yaml: string): Promise<Record<string, WrkRun[]>> {
  const port = await freePort();
  const floor = startTarget([floorBin, "floor", String(port)], { logFile: join(dir, "floor.log") });
  const started: { proc: { stop(): Promise<void> } }[] = [{ proc: floor }];
  try {
    await waitFor200(`http://127.0.0.1:${port}/v4/butlerping`, performance.now());
    for (const [name, bin] of [
      ["a", a],
      ["b", b],
    ] as const) {
      rmSync(join(dir, name), { recursive: true, force: true });
      started.push(await startSteward(bin, join(dir, name), yaml));
    }
    const [ta, tb] = started.slice(1) as Awaited<ReturnType<typeof startSteward>>[];
    await Bun.sleep(5_000);
    return await pingTurns(
      [
        { name: "floor", url: `http://127.0.0.1:${port}`, pid: floor.pid },
        { name: "A", url: ta!.url, pid: ta!.proc.pid },
        { name: "B", url: tb!.url, pid: tb!.proc.pid },
      ],
      {
        turns,
        onTurn: (turn, runs) =>
          console.log(
            `  turn ${turn + 1}: ${Object.entries(runs)
              .map(([n, r]) => `${n} ${r.cpuUsPerRequest.toFixed(2)} µs`)
              .join(", ")} | load ${loadAverage()}`,
          ),
      },
    );
  } finally {
    for (const t of started.reverse()) await t.proc.stop();
  }
}

async function stewardUdp(bin: string, dir: string, yaml: string): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  const t = await startSteward(bin, dir, yaml);
  const parts: string[] = [];
  try {
    await Bun.sleep(5_000);
    for (const rate of RATES) {
      const b = await burst(t.udpPort, t.proc.pid, () => failureRunsProcessed(t.url), rate);
      parts.push(`${rate}/s ${((100 * b.processed) / Math.max(1, b.sent)).toFixed(1)} % ${b.cpuUsPerProcessed.toFixed(0)} µs`);
    }
  } finally {
    await t.proc.stop();
  }
  const db = new Database(join(dir, "data", "steward.db"), { readonly: true });
  try {
    parts.push(`${(db.query("SELECT count(*) AS n FROM task_runs WHERE outcome = 'failed'").get() as { n: number }).n} runs stored`);
  } finally {
    db.close();
  }
  return parts.join(", ");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: "string" },
      b: { type: "string" },
      rounds: { type: "string" },
      turns: { type: "string" },
      only: { type: "string" },
      yaml: { type: "string" },
    },
  });
  if (!values.a || !values.b) throw new Error("usage: bench-floor-ab.ts --a BIN --b BIN [--rounds N] [--turns N] [--only ping,udp] [--yaml TEXT]");
  const only = new Set((values.only ?? "ping,udp").split(","));
  const [a, b, yaml] = [resolve(values.a), resolve(values.b), values.yaml ?? ""];
  if (only.has("ping")) ensureWrk();
  const workDir = join(REPO_ROOT, ".tmp", "bench-floor-ab");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [ref] = only.has("ping")
    ? await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-floor-target.ts"), outDir: join(workDir, "ref") })
    : [];
  const all: Record<string, WrkRun[]> = { floor: [], A: [], B: [] };
  for (let round = 1; round <= Number(values.rounds ?? 3); round++) {
    console.log(`round ${round}, load ${loadAverage()}`);
    if (ref) {
      const runs = await pingRound(ref.path, a, b, workDir, Number(values.turns ?? 3), yaml);
      for (const [name, list] of Object.entries(runs)) all[name]!.push(...list);
    }
    if (only.has("udp")) {
      console.log(`  A: ${await stewardUdp(a, join(workDir, `a-${round}`), yaml)}`);
      console.log(`  B: ${await stewardUdp(b, join(workDir, `b-${round}`), yaml)}`);
    }
  }
  if (ref) {
    console.log(`ping, A against the floor: ${formatRatio(pingRatio(all.A!, all.floor!))}`);
    console.log(`ping, B against the floor: ${formatRatio(pingRatio(all.B!, all.floor!))}`);
    console.log(`ping, B against A: ${formatRatio(pingRatio(all.B!, all.A!))}`);
  }
  console.log(`load at the end ${loadAverage()}`);
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench-floor-ab] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
