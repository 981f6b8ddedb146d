// Runs the Windows binary under Wine (Debian wine64) with a private WINEPREFIX and the bcryptprimitives shim
// (scripts/wine/) that Bun's Windows runtime needs on Wine 8. The prefix (about 700 MB) lives in the system's temp
// folder, one per test process: copied from a booted template (kept there between runs, one per Wine version),
// shared by the Wine test files of that process, removed after the last test file (removeThisRunsWinePrefix); the
// prefixes of runs that were killed are removed by the next run (removeStaleWinePrefixes) and by `npm test` once its
// test process has ended.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { startProcess, type RunningProcess } from "./child-process";
import { findExecutable, requireTool } from "./executables";
import { waitFor } from "./wait-for";
import { copyWineShim } from "./wine-shim";

const REPO_ROOT = resolve(import.meta.dir, "../..");
/** Folders of this machine's runs: steward-wine-<host>-<pid>, so a sweep can tell whose they are. */
const RUN_DIR_PREFIX = `steward-wine-${hostname().replace(/[^A-Za-z0-9.-]/g, "_")}-`;
/** This test process's folder for Wine prefixes; removed after the run (removeThisRunsWinePrefix). */
export const WINE_RUN_DIR = join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}`);
const RUN_DIR = WINE_RUN_DIR;
/**
 * The prefix of this test process. One for the whole run: a first wineboot takes 8–10 s here, and every Wine test
 * file (binaries, windows-e2e, the service test) would otherwise boot its own. The files of one `bun test` process
 * run one after another, each ending its Wine session (shutdownWine) in afterAll; `--parallel` workers are
 * separate processes with prefixes of their own.
 */
export const DEFAULT_WINE_PREFIX = join(RUN_DIR, "prefix");
const READY_MARKER = ".steward-prefix-ready";
const BOOT_TIMEOUT_MS = 240_000;

/**
 * Removes what Wine test runs left behind: prefixes of this machine's test processes that are gone (killed, or
 * ended before their teardown ran), and the prefixes older versions of the tests kept in the clone (.tmp/wineprefix*).
 * Never touches the folder of a process that is still running. Returns the folders removed.
 */
export function removeStaleWinePrefixes(): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(RUN_DIR_PREFIX)) continue;
    const pid = Number(name.slice(RUN_DIR_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true, maxRetries: 3 });
    removed.push(join(tmpdir(), name));
  }
  const legacy = join(REPO_ROOT, ".tmp");
  if (existsSync(legacy)) {
    for (const name of readdirSync(legacy)) {
      if (!name.startsWith("wineprefix")) continue;
      rmSync(join(legacy, name), { recursive: true, force: true, maxRetries: 3 });
      removed.push(join(legacy, name));
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Ends this process's Wine session and removes its prefix. Called once every test file has run (the global
 * afterAll in test/helpers/global-teardown.ts, preloaded through bunfig.toml): `bun test` emits no process exit
 * event a hook could use.
 */
export function removeThisRunsWinePrefix(): void {
  if (!existsSync(RUN_DIR)) return;
  const server = wineServerPath();
  // Every prefix of the run (the shared one, the MSI test's own): end its wineserver before its files go.
  for (const name of readdirSync(RUN_DIR)) {
    const prefix = join(RUN_DIR, name);
    if (server && existsSync(join(prefix, "system.reg"))) Bun.spawnSync([server, "-k"], { env: wineEnv(prefix), timeout: 15_000 });
  }
  rmSync(RUN_DIR, { recursive: true, force: true, maxRetries: 3 });
}

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

/** Takes a lock directory (waiting, bounded, for another process to let go); one older than the boot deadline is stale. */
async function lockDir(lock: string): Promise<() => void> {
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
  return () => rmSync(lock, { recursive: true, force: true });
}

/** wineboot, then Windows 10; returns once the prefix's wineserver has exited (its registry written). */
async function bootPrefix(prefix: string): Promise<number> {
  const wine = requireTool("wine");
  rmSync(prefix, { recursive: true, force: true }); // a half-booted prefix from an interrupted run
  const started = performance.now();
  const env = wineEnv(prefix);
  const boot = await runBounded(wine, ["wineboot", "--init"], env, undefined, BOOT_TIMEOUT_MS);
  if (boot.code !== 0) throw new Error(`wineboot --init failed (exit ${boot.code}):\n${boot.stderr.slice(-2000)}`);
  // Wine 8 presents itself as Windows 7 (6.1.7601), which `steward service install` refuses (Steward needs
  // Windows 10 1809 / Server 2019 or newer): the prefix plays Windows 10 (10.0.18362), as a supported server would.
  let version = await runBounded(wine, ["winecfg", "-v", "win10"], env, undefined, BOOT_TIMEOUT_MS);
  // Seen once on a loaded machine: winecfg exits 1 with nothing on stderr right after the boot; a second try works.
  if (version.code !== 0) {
    await waitWineServer(prefix);
    version = await runBounded(wine, ["winecfg", "-v", "win10"], env, undefined, BOOT_TIMEOUT_MS);
  }
  if (version.code !== 0) throw new Error(`winecfg -v win10 failed (exit ${version.code}):\n${version.stderr.slice(-2000)}`);
  await waitWineServer(prefix);
  return Math.round(performance.now() - started);
}

/** What makes a booted prefix: a change here or another Wine gives another template. */
const TEMPLATE_RECIPE = "wineboot --init; winecfg -v win10";
/** Booted prefixes to copy, one per Wine version and recipe, kept between runs (see ensureWinePrefix). */
const TEMPLATE_DIR_PREFIX = "steward-wine-template-";

function templateDir(): string {
  const r = Bun.spawnSync([requireTool("wine"), "--version"], { stdout: "pipe", stderr: "ignore", timeout: 30_000 });
  const key = Bun.hash(`${r.stdout.toString().trim()}\n${TEMPLATE_RECIPE}`).toString(36);
  return join(tmpdir(), `${TEMPLATE_DIR_PREFIX}${key}`, "prefix");
}

/** The booted template (booting it first if no run has), and how long its boot took when this call made it. */
async function bootedTemplate(): Promise<{ template: string; bootMs: number }> {
  const template = templateDir();
  if (existsSync(join(template, READY_MARKER))) return { template, bootMs: 0 };
  mkdirSync(dirname(template), { recursive: true });
  const unlock = await lockDir(`${template}.lock`);
  try {
    if (existsSync(join(template, READY_MARKER))) return { template, bootMs: 0 };
    const bootMs = await bootPrefix(template);
    writeFileSync(join(template, READY_MARKER), `${new Date().toISOString()} boot ${bootMs} ms\n`);
    // The templates of an older Wine or recipe are never copied again.
    for (const name of readdirSync(tmpdir())) {
      if (name.startsWith(TEMPLATE_DIR_PREFIX) && join(tmpdir(), name) !== dirname(template)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
    return { template, bootMs };
  } finally {
    unlock();
  }
}

/**
 * Creates (once per test process) and returns the Wine prefix; later calls reuse it. The first call also sweeps the
 * prefixes of runs that were killed. A lock directory keeps two callers from making the same prefix at once.
 * The prefix is a copy of a booted template in the temp folder (one per Wine version, booted by the first run that
 * needs it and kept): a wineboot costs about 7 s of CPU and 14 s of wall time, a copy of its ~700 MB about 1 s, and
 * every Wine test file (each runs alone in its worker and removes its prefix after) would otherwise boot its own.
 * Returns the time it took in ms (0 when reused).
 */
export async function ensureWinePrefix(prefix = DEFAULT_WINE_PREFIX): Promise<{ prefix: string; bootMs: number }> {
  if (existsSync(join(prefix, READY_MARKER))) return { prefix, bootMs: 0 };
  removeStaleWinePrefixes();
  mkdirSync(dirname(prefix), { recursive: true });
  const unlock = await lockDir(`${prefix}.lock`);
  try {
    if (existsSync(join(prefix, READY_MARKER))) return { prefix, bootMs: 0 };
    const started = performance.now();
    const { template, bootMs } = await bootedTemplate();
    rmSync(prefix, { recursive: true, force: true }); // a half-made prefix from an interrupted run
    const copy = Bun.spawnSync(["cp", "-a", template, prefix], { stdout: "ignore", stderr: "pipe", timeout: BOOT_TIMEOUT_MS });
    if (copy.exitCode !== 0) throw new Error(`copying the Wine prefix template ${template} failed: ${copy.stderr.toString()}`);
    const ms = Math.round(performance.now() - started);
    writeFileSync(join(prefix, READY_MARKER), `${new Date().toISOString()} ${bootMs ? `boot ${bootMs} ms, then ` : ""}copy ${ms - bootMs} ms\n`);
    return { prefix, bootMs: ms };
  } finally {
    unlock();
  }
}

/** How long the first boot of the reused prefix took, as recorded in its marker (for reports). */
export function recordedBoot(prefix = DEFAULT_WINE_PREFIX): string | undefined {
  const marker = join(prefix, READY_MARKER);
  return existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
}

/** Puts the shim DLL next to `exePath` (Wine loads a native DLL from the exe's own directory first). */
export function installWineShim(exePath: string): Promise<string> {
  return copyWineShim(dirname(exePath));
}

/** Runs `exe args` under Wine to completion (bounded) and returns exit code and output. */
export async function runUnderWine(exePath: string, args: string[], opts: WineOptions = {}): Promise<WineRunResult> {
  const prefix = opts.prefix ?? DEFAULT_WINE_PREFIX;
  const run = () => runBounded(requireTool("wine"), [exePath, ...args], wineEnv(prefix, opts.env), opts.cwd, opts.timeoutMs ?? 60_000);
  const first = await run();
  // Only a program of ours (a path on this machine) is known to say why it fails. Wine's own programs, named bare,
  // may fail silently: msiexec /qn by design (and installing twice is no retry), sc.exe for a service not there.
  if (!isSilentWineFailure(first) || !exePath.includes("/")) return first;
  // Seen beside busy loops (as winecfg above): wine exits 1 within milliseconds, printing nothing, before the program
  // ran; Steward itself never fails without saying why. A second try runs it.
  // Not waiting for the prefix's server to exit: a test may keep it persistent (wineserver -p), and the next client
  // starts or joins it anyway.
  console.error(`[wine] ${basename(exePath)} ${args.join(" ")}: wine exited ${first.code} at once with no output; trying once more`);
  await Bun.sleep(500);
  return run();
}

/** A non-zero exit with nothing on stdout or stderr: Wine did not start the program (Steward always says why it fails). */
export function isSilentWineFailure(r: WineRunResult): boolean {
  return r.code !== 0 && r.stdout.trim() === "" && r.stderr.trim() === "";
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
 * Keeps the prefix's Wine session (wineserver, services.exe, winedevice.exe, plugplay.exe …) up between the separate
 * wine commands of a test file, until shutdownWine in its afterAll (or 10 minutes idle). Without it a session ends
 * 3 s after its last program and the next command boots another: about 0.35 CPU s each (the server reading and
 * writing the registry, the session's services started again). Also what the Service Control Manager needs to
 * keep a service between commands.
 */
export function persistWineServer(prefix = DEFAULT_WINE_PREFIX): void {
  const server = wineServerPath();
  if (!server) return;
  // Output ignored: the server goes on in the background holding any pipe it was given, and a spawnSync reading one
  // waited for it until its timeout (30 s of the service and MSI files' wall time before this).
  const r = Bun.spawnSync([server, "-p", "600"], { env: wineEnv(prefix), stdin: "ignore", stdout: "ignore", stderr: "ignore", timeout: 30_000 });
  if (r.exitedDueToTimeout || r.exitCode !== 0)
    throw new Error(`wineserver -p 600 for ${prefix} ${r.exitedDueToTimeout ? "did not return in 30 s" : `exited ${r.exitCode}`}`);
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
