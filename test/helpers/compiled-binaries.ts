// The compiled executables for the test files that run them (binaries, the Windows end to end, the Windows service,
// the demo, the release): each build of one target and version is made once by scripts/build.ts's buildBinaries and
// kept in the system's temp folder under a key of everything that goes into it (the sources, the embedded docs,
// config and templates, the lockfile, the build script, the Bun that compiles, the target and the version); each test
// gets its own copy. A compile costs ~7 s of CPU and four files used to compile the same Windows executable or Linux
// one again. A changed source file changes the key, so a test never runs an executable older than the code.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ALL_TARGETS, binaryName, buildBinaries, buildVersion, type BuildOptions, type BuildTarget, type BuiltBinary } from "../../scripts/build";
import { buildOncePerMachine } from "./machine-cache";

const REPO_ROOT = resolve(import.meta.dir, "../..");
const CACHE_ROOT = join(tmpdir(), "steward-test-builds");
/** What the bundle can read: src/ and what src/ embeds (docs, config, templates), the dependencies' versions, the build's options. */
const INPUTS = [
  "src",
  "docs",
  "config",
  "templates",
  "package.json",
  "package-lock.json",
  "bun.lock",
  "tsconfig.json",
  "scripts/build.ts",
  "scripts/build-workers.ts",
];
/** A compile takes ~10 s here, minutes beside busy processes; a lock older than this was left by a killed run. */
const BUILD_DEADLINE_MS = 300_000;
/** Builds nobody used for this long belong to sources or commits that are gone (each is ~130 MB; a run of the suite uses its own within an hour). */
const UNUSED_FOR_MS = 2 * 3_600_000;

let inputsHash: string | undefined;

/** One hash of every input file's path and bytes, in a fixed order. */
function hashInputs(): string {
  if (inputsHash) return inputsHash;
  const h = createHash("sha256");
  h.update(`bun ${Bun.version}\n`);
  const add = (rel: string) => {
    const path = join(REPO_ROOT, rel);
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of (readdirSync(path, { recursive: true }) as string[]).sort()) {
        const file = join(path, name);
        if (statSync(file).isFile()) {
          h.update(`${rel}/${name}\n`);
          h.update(readFileSync(file));
        }
      }
    } else {
      h.update(`${rel}\n`);
      h.update(readFileSync(path));
    }
  };
  for (const rel of INPUTS) add(rel);
  inputsHash = h.digest("hex").slice(0, 24);
  return inputsHash;
}

function entryDir(target: BuildTarget, version: string): string {
  const key = createHash("sha256").update(`${hashInputs()}\n${target}\n${version}`).digest("hex").slice(0, 24);
  return join(CACHE_ROOT, `${target}-${key}`);
}

function pruneUnused(): void {
  if (!existsSync(CACHE_ROOT)) return;
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another test process meanwhile.
    }
  }
}

/** The cached executable of one target and version, compiled first if no test process has yet. */
async function cachedBinary(target: BuildTarget, version: string): Promise<string> {
  const dir = entryDir(target, version);
  const exe = join(dir, binaryName(target));
  if (!existsSync(exe)) {
    mkdirSync(CACHE_ROOT, { recursive: true });
    // Two test files in parallel workers may need the same build: one compiles, the other waits for it.
    await buildOncePerMachine({
      dir,
      ready: exe,
      staleMs: BUILD_DEADLINE_MS,
      what: `the build lock ${dir}.lock`,
      build: async (staging) => {
        pruneUnused();
        await buildBinaries({ targets: [target], outDir: staging, version });
        writeFileSync(join(staging, "version.txt"), `${version}\n`);
      },
    });
  }
  const now = new Date();
  utimesSync(dir, now, now);
  return exe;
}

/**
 * Like buildBinaries (same options, same result), from the cache: each executable is a fresh copy in `outDir`, for
 * the test to run, sign or pack. The version defaults to what `npm run build` injects (buildVersion()).
 */
export async function compiledBinaries(opts: BuildOptions & { outDir: string }): Promise<BuiltBinary[]> {
  if (opts.entry) throw new Error("compiledBinaries builds src/main.ts only; call buildBinaries for another entry");
  const version = opts.version ?? buildVersion();
  mkdirSync(opts.outDir, { recursive: true });
  const built: BuiltBinary[] = [];
  for (const target of opts.targets ?? ALL_TARGETS) {
    const path = join(opts.outDir, binaryName(target));
    copyFileSync(await cachedBinary(target, version), path);
    built.push({ target, path, bytes: statSync(path).size });
  }
  return built;
}
