// Compiles the Wine 8 bcryptprimitives.dll shim (ProcessPrng → RtlGenRandom) with Debian's mingw-w64, into
// the directory of a Windows exe. The DLL is a build product: built at test time, never committed.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const SHIM_SOURCE = resolve(import.meta.dir, "bcryptprimitives.c");
export const SHIM_DLL_NAME = "bcryptprimitives.dll";
const MINGW_GCC = "x86_64-w64-mingw32-gcc";
const COMPILE_TIMEOUT_MS = 60_000;

/** Builds bcryptprimitives.dll into `outDir` and returns its path. */
export async function buildWineShim(outDir: string): Promise<string> {
  const gcc = Bun.which(MINGW_GCC);
  if (!gcc) {
    throw new Error(`${MINGW_GCC} not found (Debian package gcc-mingw-w64-x86-64): run \`sudo bash scripts/install-test-deps.sh\``);
  }
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, SHIM_DLL_NAME);
  const proc = Bun.spawn([gcc, "-shared", "-O2", "-s", "-static-libgcc", "-Wall", "-Werror", "-o", out, SHIM_SOURCE, "-ladvapi32"], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: COMPILE_TIMEOUT_MS,
  });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${MINGW_GCC} failed (exit ${code}):\n${stderr}`);
  return out;
}

if (import.meta.main) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error("usage: bun scripts/wine/build-shim.ts OUTDIR");
    process.exit(2);
  }
  try {
    console.log(await buildWineShim(resolve(outDir)));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
