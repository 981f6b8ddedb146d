// Runs the tests (`npm test`, or the files given) while N busy processes load the CPU, as a CI runner shared with
// other jobs is: a test that passes only on an idle machine fails here. The busy processes end with the tests
// (by PID), on Ctrl-C, and on their own after --max-minutes whatever happens to this script.
//   bun scripts/test-under-load.ts [--busy N] [--max-minutes M] [-- bun test arguments, e.g. test/integration/watchdog]
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const REPO_ROOT = resolve(import.meta.dir, "..");
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { busy: { type: "string" }, "max-minutes": { type: "string" } },
  allowPositionals: true,
});
/** Four busy processes per core by default: the load average of a busy shared runner (8 on 2 cores). */
const busyCount = Number(values.busy ?? 4 * availableParallelism());
const maxMinutes = Number(values["max-minutes"] ?? 30);
if (!Number.isInteger(busyCount) || busyCount < 0 || busyCount > 64) throw new Error("--busy takes a whole number from 0 to 64");
if (!(maxMinutes > 0)) throw new Error("--max-minutes takes a positive number");

// Each spins until its deadline, so none outlives a killed script by more than --max-minutes.
const spin = `const end = Date.now() + ${Math.round(maxMinutes * 60_000)}; let x = 0; while (Date.now() < end) x = (x + 1) % 1e9;`;
const busy = Array.from({ length: busyCount }, () => Bun.spawn([process.execPath, "-e", spin], { stdio: ["ignore", "ignore", "ignore"] }));
const endBusy = () => {
  for (const p of busy) if (p.exitCode === null && !p.killed) p.kill("SIGKILL");
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    endBusy();
    process.exit(130);
  });
}
console.log(`[under load] ${busyCount} busy processes (PIDs ${busy.map((p) => p.pid).join(", ")}) for at most ${maxMinutes} min`);

const started = performance.now();
const tests = Bun.spawn([process.execPath, "scripts/test.ts", ...positionals], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
const code = await tests.exited;
endBusy();
await Promise.all(busy.map((p) => p.exited));
console.log(`[under load] tests exited ${code} after ${((performance.now() - started) / 1000).toFixed(0)} s; the busy processes are ended`);
process.exit(code);
