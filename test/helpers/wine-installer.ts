// The Wine prefix the MSI test installs into: its own (the installs must find a machine that never had Steward),
// beside the run's shared prefix in the run's temp folder and removed with it (test/helpers/wine.ts), started over
// when an earlier install left Steward in it, with the bcryptprimitives shim in system32 because the MSI puts
// steward.exe where no shim sits beside it.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { copyWineShim } from "./wine-shim";
import { ensureWinePrefix, persistWineServer, runUnderWine, shutdownWine, WINE_RUN_DIR } from "./wine";

export const INSTALLER_PREFIX = join(WINE_RUN_DIR, "prefix-msi");
/** What an install leaves in the prefix; any of them at the start means an interrupted run. */
const LEFTOVERS = ["drive_c/Program Files/Steward", "drive_c/ProgramData/Steward", "drive_c/StewardTest"];

/** The host path of a C:\ path inside the prefix. */
export function hostPath(winPath: string, prefix = INSTALLER_PREFIX): string {
  const m = /^C:\\(.*)$/i.exec(winPath);
  if (!m) throw new Error(`not a C:\\ path: ${winPath}`);
  return join(prefix, "drive_c", ...m[1]!.split("\\").filter(Boolean));
}

/** Makes the prefix ready (clean of earlier installs, shim in place, wineserver kept alive) and returns it. */
export async function prepareInstallerPrefix(prefix = INSTALLER_PREFIX): Promise<string> {
  // The assertions on what the MSI creates need a machine that never had Steward: start over after an interrupted run.
  if (LEFTOVERS.some((p) => existsSync(join(prefix, p)))) {
    await shutdownWine(prefix).catch(() => undefined);
    rmSync(prefix, { recursive: true, force: true });
  }
  await ensureWinePrefix(prefix);
  // Wine-only: Bun's runtime imports ProcessPrng, which Wine 8's bcryptprimitives lacks (Windows has it). The
  // installed steward.exe finds the shim in system32, preferred over Wine's builtin for every process of the prefix.
  await copyWineShim(join(prefix, "drive_c/windows/system32"));
  // A persistent wineserver keeps the Service Control Manager (services.exe) alive between wine commands; started
  // first, so the registry's change below runs in the same session, not one of its own.
  persistWineServer(prefix);
  const reg = await runUnderWine(
    "reg.exe",
    ["add", "HKCU\\Software\\Wine\\DllOverrides", "/v", "bcryptprimitives", "/t", "REG_SZ", "/d", "native,builtin", "/f"],
    { prefix },
  );
  if (reg.code !== 0) throw new Error(`reg add DllOverrides failed: ${reg.stderr}`);
  return prefix;
}

/** Ends this prefix's Wine session (wineserver, services.exe and the services it runs). */
export function releaseInstallerPrefix(prefix = INSTALLER_PREFIX): Promise<void> {
  return shutdownWine(prefix);
}

/** `reg query KEY` under Wine as name → value (REG_DWORD as a number); undefined when the key does not exist. */
export async function wineRegistryKey(key: string, prefix = INSTALLER_PREFIX): Promise<Record<string, string | number> | undefined> {
  const r = await runUnderWine("reg.exe", ["query", key], { prefix });
  if (r.code !== 0) return undefined;
  const values: Record<string, string | number> = {};
  for (const line of r.stdout.split(/\r?\n/)) {
    const m = /^\s+(\S+)\s+(REG_\w+)\s*(.*)$/.exec(line);
    if (m) values[m[1]!] = m[2] === "REG_DWORD" ? Number(m[3]) : m[3]!;
  }
  return values;
}
