// The Deno single binary (dist/steward-deno-linux-x64) for `npm run build`. `deno compile` appends the program
// to Deno's runtime image (denort), which the npm `deno` package does not carry and Deno would otherwise
// download from dl.deno.land. So the image is taken from DENORT_BIN only (Deno reads that variable itself);
// without it the Deno binary is skipped with a message, never replaced by anything else.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { DENO_SERVICE_FLAGS } from "../src/platform/runtime/deno/permissions";
import { STEWARD_WORKERS } from "./build-workers";

const REPO_ROOT = resolve(import.meta.dirname, "..");
export const DENO_BINARY_NAME = "steward-deno-linux-x64";
/** Where a development package's platform binary lives (installed as an optional dependency). */
const PLATFORM_PACKAGES: Record<string, string[]> = { bun: ["@oven"], deno: ["@deno"], typescript: ["@typescript"] };

export type DenoBuild = { built: true; path: string; bytes: number } | { built: false; reason: string };

export function buildDenoBinary(opts: { outDir?: string; denort?: string | undefined; deno?: string } = {}): DenoBuild {
  const denort = opts.denort;
  if (!denort) {
    return {
      built: false,
      reason:
        `${DENO_BINARY_NAME} skipped: no Deno runtime image. 'deno compile' needs denort (the npm 'deno' package does not ` +
        "include it); set DENORT_BIN to a denort of the same Deno version (e.g. unpacked from denort-x86_64-unknown-linux-gnu.zip of the Deno release).",
    };
  }
  if (!existsSync(denort) || !statSync(denort).isFile()) throw new Error(`DENORT_BIN=${denort}: no such file (expected Deno's runtime image, denort)`);
  const outDir = resolve(opts.outDir ?? join(REPO_ROOT, "dist"));
  mkdirSync(outDir, { recursive: true });
  const output = join(outDir, DENO_BINARY_NAME);
  const deno = opts.deno ?? join(REPO_ROOT, "node_modules/.bin/deno");
  // The permissions are baked into the binary: those of `steward run` plus sc.exe/systemctl and FFI for the
  // service commands (the same set a `deno run` service install asks for).
  // deno compile embeds the whole node_modules folder: the development-only packages (among them the bun and
  // deno executables, ~200 MB) and the scratch folders of tests stay out.
  const dev = Object.keys(pkg.devDependencies).flatMap((name) => [name, ...(PLATFORM_PACKAGES[name] ?? [])]);
  const excludes = [".tmp", "dist", "test-output", ...dev.map((name) => `node_modules/${name}`)].flatMap((p) => ["--exclude", p]);
  const args = [
    "compile",
    "--no-check",
    ...DENO_SERVICE_FLAGS,
    ...excludes,
    "--target",
    "x86_64-unknown-linux-gnu",
    "--output",
    output,
    // Worker threads are loaded by URL at run time: deno compile embeds only what it is told to.
    ...STEWARD_WORKERS.flatMap((w) => ["--include", join(REPO_ROOT, w)]),
    join(REPO_ROOT, "src/main.ts"),
  ];
  const r = spawnSync(deno, args, { cwd: REPO_ROOT, env: { ...process.env, DENORT_BIN: denort, NO_COLOR: "1" }, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`deno compile failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  // A wrong image (e.g. the deno CLI itself, which ignores the appended program and starts its REPL) still
  // compiles: the result must run Steward, or it is removed.
  const check = spawnSync(output, ["version"], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  if (check.status !== 0 || check.stdout.trim() !== pkg.version) {
    rmSync(output, { force: true });
    throw new Error(
      `DENORT_BIN=${denort} is not a Deno runtime image (denort): the compiled file did not run Steward ('version' printed ${JSON.stringify((check.stdout + check.stderr).trim().slice(0, 200))})`,
    );
  }
  return { built: true, path: output, bytes: statSync(output).size };
}
