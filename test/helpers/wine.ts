// Runs the Windows binary under Wine (Debian wine64) with a private, reused WINEPREFIX and the
// bcryptprimitives shim (scripts/wine/) that Bun's Windows runtime needs on Wine 8.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildWineShim } from "../../scripts/wine/build-shim";
import { startProcess, type RunningProcess } from "./child-process";
import { findExecutable, requireTool } from "./executables";
import { waitFor } from "./wait-for";

const REPO_ROOT = resolve(import.meta.dir, "../..");
/** Reused across runs: the first wineboot of a prefix is the slow part (~10 s here). */
export const DEFAULT_WINE_PREFIX = join(REPO_ROOT, ".tmp/wineprefix");
const READY_MARKER = ".steward-prefix-ready";
const BOOT_TIMEOUT_MS = 240_000;

export interface WineRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WineOptions {
  prefix?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The environment every Wine call gets: private prefix, quiet, native shim first, no GUI helpers. */
export function wineEnv(prefix = DEFAULT_WINE_PREFIX, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "DISPLAY") env[k] = v;
  return {
    ...env,
    WINEPREFIX: prefix,
    WINEDEBUG: "-all",
    // Our ProcessPrng shim before Wine's builtin; no Mono/Gecko installer prompts; no menu/desktop entries.
    WINEDLLOVERRIDES: "bcryptprimitives=n,b;mscoree=;mshtml=;winemenubuilder.exe=d",
    ...extra,
  };
}

/** Runs a command to completion with a deadline; kills it (by PID) when the deadline passes. */
async function runBounded(cmd: string, args: string[], env: Record<string, string>, cwd: string | undefined, timeoutMs: number): Promise<WineRunResult> {
  const proc = startProcess(cmd, args, { env, ...(cwd ? { cwd } : {}) });
  const timer = setTimeout(() => void proc.stop("SIGKILL"), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code === -1 && !proc.output().includes("[spawn error]")) {
    throw new Error(`${cmd} ${args.join(" ")} was killed after ${timeoutMs} ms:\n${proc.output().slice(-2000)}`);
  }
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/**
 * Creates (once) and returns the Wine prefix. Later calls, in this or another test run, reuse it.
 * A lock directory keeps two test files from booting the same prefix at once. Returns boot time in ms
 * (0 when reused).
 */
export async function ensureWinePrefix(prefix = DEFAULT_WINE_PREFIX): Promise<{ prefix: string; bootMs: number }> {
  const wine = requireTool("wine");
  if (existsSync(join(prefix, READY_MARKER))) return { prefix, bootMs: 0 };
  mkdirSync(dirname(prefix), { recursive: true });
  const lock = `${prefix}.lock`;
  await waitFor(
    () => {
      try {
        mkdirSync(lock);
        return true;
      } catch {
        // A lock left by a killed run is stale after the boot deadline.
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > BOOT_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
        return false;
      }
    },
    { what: `the Wine prefix lock ${lock}`, timeoutMs: BOOT_TIMEOUT_MS, intervalMs: 250 },
  );
  try {
    if (existsSync(join(prefix, READY_MARKER))) return { prefix, bootMs: 0 };
    rmSync(prefix, { recursive: true, force: true }); // a half-booted prefix from an interrupted run
    const started = performance.now();
    const env = wineEnv(prefix);
    const boot = await runBounded(wine, ["wineboot", "--init"], env, undefined, BOOT_TIMEOUT_MS);
    if (boot.code !== 0) throw new Error(`wineboot --init failed (exit ${boot.code}):\n${boot.stderr.slice(-2000)}`);
    await waitWineServer(prefix);
    const bootMs = Math.round(performance.now() - started);
    writeFileSync(join(prefix, READY_MARKER), `${new Date().toISOString()} boot ${bootMs} ms\n`);
    return { prefix, bootMs };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** How long the first boot of the reused prefix took, as recorded in its marker (for reports). */
export function recordedBoot(prefix = DEFAULT_WINE_PREFIX): string | undefined {
  const marker = join(prefix, READY_MARKER);
  return existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
}

/** Builds the shim DLL next to `exePath` (Wine loads a native DLL from the exe's own directory first). */
export function installWineShim(exePath: string): Promise<string> {
  return buildWineShim(dirname(exePath));
}

/** Runs `exe args` under Wine to completion (bounded) and returns exit code and output. */
export async function runUnderWine(exePath: string, args: string[], opts: WineOptions = {}): Promise<WineRunResult> {
  const prefix = opts.prefix ?? DEFAULT_WINE_PREFIX;
  return runBounded(requireTool("wine"), [exePath, ...args], wineEnv(prefix, opts.env), opts.cwd, opts.timeoutMs ?? 60_000);
}

/**
 * Starts a long-running `exe args` under Wine. The returned PID is the Windows process itself (wine64
 * becomes it), so stop("SIGINT") reaches it as Ctrl-C and stop("SIGKILL") ends it hard.
 */
export function startUnderWine(exePath: string, args: string[], opts: WineOptions = {}): RunningProcess {
  const prefix = opts.prefix ?? DEFAULT_WINE_PREFIX;
  return startProcess(requireTool("wine"), [exePath, ...args], { env: wineEnv(prefix, opts.env), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

function wineServerPath(): string | undefined {
  return findExecutable(["wineserver", "wineserver64"]);
}

/** Waits (bounded) until the prefix's wineserver has exited by itself. */
async function waitWineServer(prefix: string, timeoutMs = 30_000): Promise<void> {
  const server = wineServerPath();
  if (!server) return;
  await runBounded(server, ["-w"], wineEnv(prefix), undefined, timeoutMs);
}

/**
 * Ends what is left of this prefix's Wine session (its wineserver and service processes such as
 * winedevice.exe). Scoped by WINEPREFIX, so only the processes our tests started are touched.
 */
export async function shutdownWine(prefix = DEFAULT_WINE_PREFIX): Promise<void> {
  const server = wineServerPath();
  if (!server) return;
  await runBounded(server, ["-k"], wineEnv(prefix), undefined, 15_000);
}
