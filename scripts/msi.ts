// Builds the Windows installer steward-<version>-x64.msi from installer/steward.wxs with wixl (Debian package
// wixl), then sets with msibuild (Debian package msitools) the three things wixl 0.101 cannot express.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { DEFAULT_WINDOWS_SERVICE_NAME } from "../src/watch/services/install/windows-plan";

const REPO_ROOT = resolve(import.meta.dir, "..");
export const MSI_SOURCE = join(REPO_ROOT, "installer/steward.wxs");
/** Public properties a deployment tool passes; secure, so an elevated install takes them from the command line. */
export const MSI_PROPERTIES = ["CONFIG", "SERVICEACCOUNT", "SERVICEPASSWORD", "FIREWALL", "FIREWALLREMOTE", "INSTALLDIR", "ADOPTFOLDER"] as const;
/**
 * %ProgramData%\Steward's own ACL, set by Windows Installer when it creates the folder (and on repairs): owner
 * Administrators (BA), a protected DACL (nothing inherited from ProgramData, where Users may create files), SYSTEM
 * (SY) and Administrators full control for the folder, its subfolders and files. SIDs, not names: names are localised.
 */
export const PROGRAMDATA_SDDL = "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
const TOOL_TIMEOUT_MS = 300_000;
/** msidbCustomActionTypeHideTarget: the command line (it holds SERVICEPASSWORD) is not written to the MSI log. */
const HIDE_TARGET = 0x2000;
/** msidbUpgradeAttributesVersionMaxInclusive: a rebuild of the same version replaces the installed one. */
const VERSION_MAX_INCLUSIVE = 0x200;

export interface BuiltMsi {
  path: string;
  bytes: number;
  version: string;
}

export function msiName(version: string): string {
  return `steward-${version}-x64.msi`;
}

/** An MSI ProductVersion is major.minor.build with at most 255.255.65535; anything else cannot be upgraded from. */
export function msiVersion(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255 || Number(m[3]) > 65535) {
    throw new Error(
      `MSI: version "${version}" is not major.minor.patch within 255.255.65535 (package.json "version"), which Windows Installer needs to order upgrades`,
    );
  }
  return version;
}

type MsiTool = "wixl" | "msibuild" | "msiinfo";
export const MSI_TOOLS: readonly MsiTool[] = ["wixl", "msibuild", "msiinfo"];
/** The one command that installs what the MSI needs (Debian packages wixl and msitools). */
export const MSI_TOOLS_INSTALL = "sudo apt-get install -y wixl msitools";

/** Where a program is: on PATH, else in /usr/bin (a service's PATH may be bare). */
export type FindTool = (name: string) => string | undefined;
export const findTool: FindTool = (name) => Bun.which(name) ?? (existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined);

/** The MSI tools this machine lacks (none: the MSI can be built). */
export function missingMsiTools(find: FindTool = findTool): MsiTool[] {
  return MSI_TOOLS.filter((t) => find(t) === undefined);
}

/** What to say when the MSI tools are missing: which, and the one command to run. */
export function msiToolsAdvice(missing: readonly string[]): string {
  return `the MSI needs ${missing.join(", ")} (Debian packages wixl and msitools), not found on this machine: run \`${MSI_TOOLS_INSTALL}\``;
}

function tool(name: MsiTool): string {
  const found = findTool(name);
  if (!found) throw new Error(msiToolsAdvice([name]));
  return found;
}

function runTool(name: MsiTool, args: string[]): string {
  const r = spawnSync(tool(name), args, { encoding: "utf8", timeout: TOOL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${name} ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

/** One table of an MSI as rows of named columns (msiinfo export: names, types, key line, then rows). */
export function msiTable(msi: string, table: string): Record<string, string>[] {
  const lines = runTool("msiinfo", ["export", msi, table])
    .split(/\r?\n/)
    .filter((l) => l !== "");
  const names = lines[0]!.split("\t");
  return lines.slice(3).map((l) => Object.fromEntries(l.split("\t").map((v, i) => [names[i]!, v])));
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Builds the MSI around `exe` into `outDir`; throws with wixl's messages on failure. */
export function buildMsi(o: { exe: string; version: string; outDir: string }): BuiltMsi {
  const version = msiVersion(o.version);
  if (!existsSync(o.exe)) throw new Error(`MSI: ${o.exe} does not exist (build the windows-x64 binary first)`);
  mkdirSync(o.outDir, { recursive: true });
  const out = join(resolve(o.outDir), msiName(version));
  rmSync(out, { force: true });
  // Relative to the .wxs: wixl 0.101 (Debian 12) fails on absolute source paths with newer GLib.
  const exe = relative(dirname(MSI_SOURCE), resolve(o.exe));
  runTool("wixl", [
    "--arch",
    "x64",
    "-D",
    `Version=${version}`,
    "-D",
    `Exe=${exe}`,
    "-D",
    `ServiceName=${DEFAULT_WINDOWS_SERVICE_NAME}`,
    "-o",
    out,
    MSI_SOURCE,
  ]);

  const queries: string[] = [];
  const register = msiTable(out, "CustomAction").find((r) => r.Action === "RegisterService");
  if (!register) throw new Error("MSI: no RegisterService custom action in installer/steward.wxs");
  queries.push(`UPDATE \`CustomAction\` SET \`Type\` = ${Number(register.Type) | HIDE_TARGET} WHERE \`Action\` = 'RegisterService'`);
  const secure = msiTable(out, "Property").find((r) => r.Property === "SecureCustomProperties")?.Value ?? "";
  const all = [...new Set([...secure.split(";").filter(Boolean), ...MSI_PROPERTIES])].join(";");
  queries.push(`UPDATE \`Property\` SET \`Value\` = ${sqlString(all)} WHERE \`Property\` = 'SecureCustomProperties'`);
  const upgrade = msiTable(out, "Upgrade").find((r) => r.ActionProperty === "WIX_UPGRADE_DETECTED");
  if (!upgrade) throw new Error("MSI: no MajorUpgrade row (WIX_UPGRADE_DETECTED) in the Upgrade table");
  // Attributes is part of the Upgrade table's key: the row is replaced, not updated.
  queries.push(
    "DELETE FROM `Upgrade` WHERE `ActionProperty` = 'WIX_UPGRADE_DETECTED'",
    "INSERT INTO `Upgrade` (`UpgradeCode`, `VersionMax`, `Attributes`, `ActionProperty`) " +
      `VALUES (${sqlString(upgrade.UpgradeCode!)}, ${sqlString(upgrade.VersionMax!)}, ${Number(upgrade.Attributes) | VERSION_MAX_INCLUSIVE}, 'WIX_UPGRADE_DETECTED')`,
  );
  // wixl has no <Permission>: the folder's ACL goes into MsiLockPermissionsEx (Windows Installer 5, SDDL) here.
  queries.push(
    "CREATE TABLE `MsiLockPermissionsEx` (`MsiLockPermissionsEx` CHAR(72) NOT NULL, `LockObject` CHAR(72) NOT NULL, `Table` CHAR(32) NOT NULL, " +
      "`SDDL` LONGCHAR NOT NULL, `Condition` CHAR(255) PRIMARY KEY `MsiLockPermissionsEx`)",
    `INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`, \`LockObject\`, \`Table\`, \`SDDL\`) VALUES ('ProgramDataAcl', 'PROGRAMDATADIR', 'CreateFolder', ${sqlString(PROGRAMDATA_SDDL)})`,
  );
  for (const q of queries) runTool("msibuild", [out, "-q", q]);
  return { path: out, bytes: statSync(out).size, version };
}
