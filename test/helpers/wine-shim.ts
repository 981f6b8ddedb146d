// The bcryptprimitives.dll shim (scripts/wine/build-shim.ts) for the Wine test files, compiled once per machine and
// copied where each test needs it. Every Wine file (binaries, the Windows end to end, the Windows service, the MSI)
// compiled the same 100-line C file again: about 1 CPU s of mingw-w64 each (cc1, as, ld). The copy is kept in the
// system's temp folder under a key of what goes into it (the C source, the build script, the compiler's file), so a
// change to any of them compiles it again.
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildWineShim, SHIM_DLL_NAME, SHIM_SOURCE } from "../../scripts/wine/build-shim";
import { buildOncePerMachine } from "./machine-cache";

const BUILD_SCRIPT = resolve(import.meta.dir, "../../scripts/wine/build-shim.ts");
const MINGW_GCC = "x86_64-w64-mingw32-gcc";
/** A compile takes about a second, a minute beside busy processes; a lock older than this was left by a killed run. */
const LOCK_STALE_MS = 120_000;

/** The cache folder for this source, build script and compiler; undefined without the compiler (buildWineShim says why). */
function cacheDir(): string | undefined {
  const gcc = Bun.which(MINGW_GCC);
  if (!gcc) return undefined;
  const compiler = statSync(gcc);
  const key = new Bun.CryptoHasher("sha256")
    .update(readFileSync(SHIM_SOURCE))
    .update(readFileSync(BUILD_SCRIPT))
    .update(`${gcc}\n${compiler.size}\n${compiler.mtimeMs}`)
    .digest("hex")
    .slice(0, 24);
  return join(tmpdir(), `steward-wine-shim-${key}`);
}

/** Puts bcryptprimitives.dll into `outDir` (compiled the first time on this machine) and returns its path. */
export async function copyWineShim(outDir: string): Promise<string> {
  const dir = cacheDir();
  if (!dir) return buildWineShim(outDir);
  const dll = join(dir, SHIM_DLL_NAME);
  // Two Wine files in parallel workers may both need it: one compiles, the other waits.
  await buildOncePerMachine({
    dir,
    ready: dll,
    staleMs: LOCK_STALE_MS,
    what: `the Wine shim's build lock ${dir}.lock`,
    build: async (staging) => void (await buildWineShim(staging)),
  });
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, SHIM_DLL_NAME);
  copyFileSync(dll, out);
  return out;
}
