// `npm run build`: compiles Steward into single-file executables for Linux and Windows (x64) with Bun, packs the
// Windows one into steward-<version>-x64.msi, and writes the SBOM and SHA256SUMS beside them in dist/.
// bunfig/.env autoloading is off so a stray file next to the binary on a server cannot change behaviour.
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { buildDenoBinary, DENO_BINARY_NAME } from "./build-deno";
import { STEWARD_WORKERS } from "./build-workers";
import { buildExtensionZip } from "./build-extension";
import { buildMsi, type FindTool, findTool, missingMsiTools, msiToolsAdvice } from "./msi";
import { writeSbom, writeSha256Sums, type EmbeddedRuntime } from "./release-files";

export type BuildTarget = "linux-x64" | "windows-x64";

export const ALL_TARGETS: readonly BuildTarget[] = ["linux-x64", "windows-x64"];

export interface BuildOptions {
  targets?: readonly BuildTarget[];
  /** Directory for the executables (default: dist/ in the repo). */
  outDir?: string;
  /** Entry point (default: src/main.ts). */
  entry?: string;
  /** Version string injected as STEWARD_VERSION (default: package.json version + git short sha). */
  version?: string;
}

export interface BuiltBinary {
  target: BuildTarget;
  path: string;
  bytes: number;
}

const REPO_ROOT = resolve(import.meta.dir, "..");
/** Cross-compiling fetches the Windows runtime once (then cached by Bun); allow for a slow registry. */
const BUILD_TIMEOUT_MS = 300_000;

/** File name of the executable for a target. */
export function binaryName(target: BuildTarget): string {
  return target === "windows-x64" ? "steward-windows-x64.exe" : "steward-linux-x64";
}

/** package.json version, plus `+<short sha>` when built from a git checkout (and `.dirty` if modified). */
export function buildVersion(): string {
  const git = (args: string[]) => {
    try {
      const r = Bun.spawnSync(["git", ...args], { cwd: REPO_ROOT, stdout: "pipe", stderr: "ignore" });
      return r.exitCode === 0 ? r.stdout.toString().trim() : "";
    } catch {
      return "";
    }
  };
  const sha = git(["rev-parse", "--short", "HEAD"]);
  if (!sha) return pkg.version;
  const dirty = git(["status", "--porcelain", "--untracked-files=no", "--", "src", "templates"]) !== "";
  return `${pkg.version}+${sha}${dirty ? ".dirty" : ""}`;
}

/** Builds one executable per target; throws with Bun's build messages on failure. */
export async function buildBinaries(opts: BuildOptions = {}): Promise<BuiltBinary[]> {
  const targets = opts.targets ?? ALL_TARGETS;
  const outDir = resolve(opts.outDir ?? join(REPO_ROOT, "dist"));
  const entry = resolve(opts.entry ?? join(REPO_ROOT, "src/main.ts"));
  // Steward's worker threads are entry points of their own: `new Worker(new URL(…))` finds them in the executable.
  const workers = entry === resolve(REPO_ROOT, "src/main.ts") ? STEWARD_WORKERS.map((w) => join(REPO_ROOT, w)) : [];
  const version = opts.version ?? buildVersion();
  mkdirSync(outDir, { recursive: true });

  const built: BuiltBinary[] = [];
  for (const target of targets) {
    const outfile = join(outDir, binaryName(target));
    // The `bun build` CLI, not the Bun.build() API: with the API (Bun 1.4.5) a bun-windows-x64 executable
    // embeds its entry without the ".exe" suffix, so `import.meta.main` is false at run time and the
    // program silently does nothing. No `--windows-title/--windows-version` either: with that resource
    // metadata the exe no longer starts under Wine 8 ("failed to open …: c0000135").
    const args = [
      "build",
      entry,
      ...workers,
      "--compile",
      `--target=bun-${target}`,
      `--outfile=${outfile}`,
      "--minify",
      // Precompiled bytecode: the runtime no longer parses ~2 MB of JavaScript at every start (measured by
      // `npm run bench`: the largest single item of the start-up time).
      "--bytecode",
      // ESM bytecode: --bytecode alone means CommonJS, which has no top-level await (src/platform/runtime/index.ts picks
      // the runtime with one).
      "--format=esm",
      // Code splitting: what a command loads with a literal import() (the simulator, the demo, nodemailer, mqtt.js …)
      // becomes a chunk of its own inside the executable, evaluated only when imported. In one bundle the Node
      // built-ins those modules import (net, tls, http, zlib, stream, dns …) were linked at every start: ~20 ms of
      // CPU of `steward run` (bench: CPU time until /ready).
      "--splitting",
      "--no-compile-autoload-bunfig",
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-tsconfig",
      "--no-compile-autoload-package-json",
      "--define",
      `STEWARD_VERSION=${JSON.stringify(version)}`,
    ];
    const proc = Bun.spawn([process.execPath, ...args], {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
      timeout: BUILD_TIMEOUT_MS,
    });
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`build for ${target} failed (exit ${code}):\n${stdout}${stderr}`);
    built.push({ target, path: outfile, bytes: statSync(outfile).size });
  }
  return built;
}

/** What the command line can name; none means all of them. */
const CLI_TARGETS = [...ALL_TARGETS, "msi-x64", "deno-linux-x64"] as const;
type CliTarget = (typeof CLI_TARGETS)[number];

function parseCli(argv: string[]): { targets: Set<CliTarget>; noMsi: boolean } {
  const flags = argv.filter((a) => a.startsWith("-"));
  for (const f of flags) if (f !== "--no-msi") throw new Error(`unknown option ${f} (expected --no-msi)`);
  const named = argv.filter((a) => !a.startsWith("-"));
  for (const t of named) {
    if (!CLI_TARGETS.includes(t as CliTarget)) throw new Error(`unknown target "${t}" (expected one of: ${CLI_TARGETS.join(", ")})`);
  }
  return { targets: new Set((named.length ? named : CLI_TARGETS) as CliTarget[]), noMsi: flags.includes("--no-msi") };
}

export interface BuildPlan {
  bunTargets: BuildTarget[];
  wantMsi: boolean;
  /** What is not built and why, said before the compile starts and again at the end. */
  skipped: string[];
}

/**
 * What `npm run build` builds on this machine, decided before anything is compiled. Without wixl/msitools the build
 * makes everything else and says it skipped the MSI with the one command to run; asked for the MSI by name
 * (`bun scripts/build.ts msi-x64`), it stops before building with that command instead.
 */
export function planBuild(argv: string[], find: FindTool = findTool): BuildPlan {
  const { targets, noMsi } = parseCli(argv);
  const named = argv.some((a) => a === "msi-x64");
  const skipped: string[] = [];
  let wantMsi = targets.has("msi-x64") && !noMsi;
  if (noMsi) skipped.push("the MSI (--no-msi)");
  const missing = wantMsi ? missingMsiTools(find) : [];
  if (missing.length > 0) {
    if (named) throw new Error(`nothing built: ${msiToolsAdvice(missing)}, then build again`);
    wantMsi = false;
    skipped.push(`the MSI: ${msiToolsAdvice(missing)}, then \`npm run build\` again`);
  }
  const bunTargets = ALL_TARGETS.filter((t) => targets.has(t) || (t === "windows-x64" && wantMsi));
  return { bunTargets, wantMsi, skipped };
}

async function main(argv: string[]): Promise<void> {
  const started = performance.now();
  const { targets } = parseCli(argv);
  const { bunTargets, wantMsi, skipped } = planBuild(argv);
  for (const s of skipped) console.log(`skipping ${s}`);
  const outDir = join(REPO_ROOT, "dist");
  const artefacts: string[] = [];
  const runtimes: EmbeddedRuntime[] = [];

  const built = await buildBinaries({ targets: bunTargets, outDir });
  for (const b of built) console.log(`built ${b.path} (${(b.bytes / 1024 / 1024).toFixed(1)} MiB)`);
  artefacts.push(...built.map((b) => b.path));
  // The binaries are not signed. Signing would go here: signtool (Windows) or osslsigncode (Linux) on
  // steward-windows-x64.exe before the MSI packs it, then on the MSI; SHA256SUMS below then lists the signed files.
  if (wantMsi) {
    const exe = built.find((b) => b.target === "windows-x64")!.path;
    const msi = buildMsi({ exe, version: pkg.version, outDir });
    console.log(`built ${msi.path} (${(msi.bytes / 1024 / 1024).toFixed(1)} MiB)`);
    artefacts.push(msi.path);
  }
  const bunIn = [...built.map((b) => binaryName(b.target)), ...(wantMsi ? ["the MSI's steward.exe"] : [])];
  if (bunIn.length) runtimes.push({ name: "bun", version: Bun.version, purl: `pkg:npm/bun@${Bun.version}`, in: bunIn });

  if (targets.has("deno-linux-x64")) {
    const deno = buildDenoBinary({ outDir, denort: process.env.DENORT_BIN });
    console.log(deno.built ? `built ${deno.path} (${(deno.bytes / 1024 / 1024).toFixed(1)} MiB)` : deno.reason);
    if (deno.built) {
      artefacts.push(deno.path);
      const denoVersion = (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/deno/package.json"), "utf8")) as { version: string }).version;
      runtimes.push({ name: "deno", version: denoVersion, purl: `pkg:npm/deno@${denoVersion}`, in: [DENO_BINARY_NAME] });
    }
  }
  // The Qlik Sense extension that shows an app's freshness (docs/status.md), imported in the QMC.
  const extension = buildExtensionZip(outDir);
  console.log(`built ${extension}`);
  artefacts.push(extension);
  const sbom = writeSbom({ outDir, runtimes });
  console.log(`wrote ${sbom}`);
  console.log(`wrote ${await writeSha256Sums([...artefacts, sbom])}`);
  console.log(`version ${buildVersion()}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const s of skipped) console.log(`skipped ${s}`);
}

if (import.meta.main) {
  try {
    await main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
