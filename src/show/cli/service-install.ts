// `steward service install`: the starter config, the installation's own folders, the plan for Windows or systemd,
// and after a start whether the service kept running.
import { release } from "node:os";
import { windowsVersionProblem } from "../../watch/services/install/windows-version";
import { existsSync, lstatSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { envFileFor } from "../../platform/config/env-file";
import { loadConfigFile, parseConfigText, type LoadedConfig } from "./steward-config";
import type { Plan } from "../../watch/services/install/plan";
import { STARTER_CONFIG, writeStarterConfig } from "../../watch/services/install/starter-config";
import { systemdInstallPlan } from "../../watch/services/install/systemd-plan";
import { parseFirewallOpenings, type FirewallOpening } from "../../watch/services/install/windows-firewall";
import { DEFAULT_WINDOWS_ACCOUNT, windowsInstallPlan } from "../../watch/services/install/windows-plan";
import { judgeFailedStart } from "../../watch/services/install/windows-start";
import type { CommandResult } from "../../watch/services/command-runner";
import { runtime } from "../../platform/runtime";
import { execute, type Platform, type ServiceContext } from "./service-context";
import { serviceState, waitForState } from "./service-run";
import { UsageError } from "./usage";
import { freshFolderProblem } from "./fresh-folder";

/** How to start this Steward again: the compiled binary alone, or the runtime plus the entry script. */
export function selfCommand(): string[] {
  return runtime.selfCommand();
}

export function writablePathsOf(loaded: LoadedConfig): string[] {
  const f = loaded.config.files;
  if (!f) return [];
  const dirs = [...f.copy.map((p) => p.to), ...f.move.flatMap((p) => [p.from, p.to]), ...f.delete, ...f.createDir, ...(f.qvdRoot ? [f.qvdRoot] : [])];
  return [...new Set(dirs.map((d) => resolve(loaded.baseDir, d)))];
}

/** Folders the file operations only read (copy sources): the unit must not hide them either. */
export function readPathsOf(loaded: LoadedConfig): string[] {
  const writable = new Set(writablePathsOf(loaded));
  const dirs = (loaded.config.files?.copy ?? []).map((p) => resolve(loaded.baseDir, p.from));
  return [...new Set(dirs)].filter((d) => !writable.has(d));
}

export interface InstallChoices {
  name: string;
  self: string[];
  account?: string;
  password?: string;
  user: string;
  createUser: boolean;
  start: boolean;
  /** Windows: the service exists, reconfigure it in place. */
  update?: boolean;
  /** Windows: folders of this Steward alone, restricted to Administrators and SYSTEM. */
  restrictFolders?: string[];
  firewall?: FirewallOpening[];
  firewallRemote?: string;
}

export function installPlan(platform: Platform, loaded: LoadedConfig, o: InstallChoices): Plan {
  const configPath = loaded.file!;
  if (platform === "windows") {
    const { udp, http } = loaded.config;
    return windowsInstallPlan({
      name: o.name,
      command: [...o.self, "service", "run", "--config", configPath, "--name", o.name],
      configPath,
      envFile: envFileFor(configPath),
      dataDir: loaded.config.dataDir,
      account: o.account || DEFAULT_WINDOWS_ACCOUNT,
      ...(o.password ? { password: o.password } : {}),
      start: o.start,
      update: Boolean(o.update),
      restrictFolders: o.restrictFolders ?? [],
      ...(o.firewall?.length ? { firewall: { openings: o.firewall, udp, http, ...(o.firewallRemote ? { remote: o.firewallRemote } : {}) } } : {}),
    });
  }
  return systemdInstallPlan({
    name: o.name,
    command: [...o.self, "run", "--config", configPath],
    configPath,
    workingDirectory: loaded.baseDir,
    environmentFile: envFileFor(configPath),
    dataDir: loaded.config.dataDir,
    writablePaths: writablePathsOf(loaded),
    readPaths: readPathsOf(loaded),
    user: o.user,
    createUser: o.createUser,
    httpPort: loaded.config.http.port,
    start: o.start,
  });
}

/**
 * A folder path without trailing separators or "\." (MSI formats a folder as C:\ProgramData\Steward\ and a custom
 * action passes it as "[PROGRAMDATADIR]." since a backslash before a closing quote would escape the quote).
 */
function bareFolder(f: string): string {
  let out = f;
  for (;;) {
    const next = out.replace(/[\\/]\.$/, "").replace(/(?<=[^\\/:])[\\/]+$/, "");
    if (next === out) return out;
    out = next;
  }
}

export function assertNotALink(folder: string): void {
  // Without the trailing separator: with one, lstat would follow a link.
  const stat = lstatSync(bareFolder(folder), { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) {
    throw new UsageError(`service: ${folder} is a link (junction or symbolic link), not a folder; remove it, then install again`);
  }
}

/** The --own-folder and a folder made for the starter config, each once (Windows paths compare without case). */
function ownFolders(...folders: (string | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const f of folders) {
    if (!f) continue;
    const clean = bareFolder(f);
    seen.set(resolve(clean).toLowerCase(), clean);
  }
  return [...seen.values()];
}

export async function serviceInstall(c: ServiceContext): Promise<number> {
  const { values, platform, name, run, dryRun } = c;
  if (!values.config) throw new UsageError("service install: --config FILE is required (the service reads that file at every start)");
  // Planned for Windows on another OS (--platform windows --dry-run) there is no Windows version to check.
  const osRelease = c.deps.osRelease ?? (process.platform === "win32" ? release : undefined);
  if (platform === "windows" && osRelease) {
    const tooOld = windowsVersionProblem(osRelease());
    if (tooOld) {
      c.out(`service install: ${tooOld}`);
      return 1;
    }
  }
  const firewall = parseFirewallOpenings(values.firewall);
  if ("error" in firewall) throw new UsageError(`service install: ${firewall.error}`);
  if (firewall.length && platform !== "windows")
    throw new UsageError("service install: --firewall opens the Windows Firewall; on Linux open the ports with your firewall (nftables, firewalld, ufw)");
  const remote = values["firewall-remote"] || undefined;
  if (remote !== undefined && !/^[A-Za-z0-9.:/,-]{1,2000}$/.test(remote)) {
    throw new UsageError("service install: --firewall-remote takes addresses, ranges or CIDRs separated by commas (10.0.0.11,10.0.1.0/24)");
  }
  const fresh = values["fresh-folder"] && values["own-folder"] ? freshFolderProblem(bareFolder(values["own-folder"]), values.report) : undefined;
  if (fresh) {
    c.out(`service install: refused: ${fresh}`);
    return 1;
  }
  const configFile = resolve(values.config);
  // The starter config is written before the config is read; a dry run plans with it but writes nothing.
  let created = false;
  let loaded: LoadedConfig | undefined;
  if (values["create-config"] && !existsSync(configFile)) {
    if (dryRun) {
      c.out(`# write a starter config: ${configFile}`);
      loaded = { ...parseConfigText(STARTER_CONFIG, configFile, dirname(configFile)), file: configFile };
      created = true;
    } else created = writeStarterConfig(configFile, platform === "windows");
  }
  if (values["create-config"] && !dryRun) c.out(created ? `ok   write a starter config: ${configFile}` : `ok   keep the existing config: ${configFile}`);
  loaded ??= loadConfigFile(configFile);
  const user = values.user ?? "steward";
  const createUser = platform === "linux" && !dryRun ? (await run("id", ["-u", user], { timeoutMs: 5000 })).code !== 0 : platform === "linux";
  const update = Boolean(values.update) && platform === "windows" && (await serviceState(run, "windows", name)).ok;
  const plan = installPlan(platform, loaded, {
    name,
    self: c.deps.self ?? selfCommand(),
    account: values.account,
    password: values.password,
    user,
    createUser,
    start: Boolean(values.start),
    update,
    restrictFolders: platform === "windows" ? ownFolders(values["own-folder"], created ? dirname(configFile) : undefined) : [],
    firewall,
    ...(remote ? { firewallRemote: remote } : {}),
  });
  // A started service can still stop at once (a config that refuses to start, a port in use). The install stands
  // (fix the config, start again), but what happened is said, also in an MSI's installer.log. Whether sc.exe start
  // itself saw it running first is a race, so a failed start of a service that then settled is judged the same.
  let settled: string | undefined;
  const judgeStart = async (result: CommandResult) => {
    settled = await waitForState(run, platform, name, "RUNNING", 60_000);
    const verdict = judgeFailedStart(result, settled);
    return verdict.stands ? verdict.note : undefined;
  };
  const code = await execute(c, plan, platform === "windows" ? judgeStart : undefined);
  if (code !== 0 || dryRun || !values.start) return code;
  const state = settled ?? (await waitForState(run, platform, name, "RUNNING", 60_000));
  if (state === "RUNNING") c.out(`${name}: RUNNING`);
  else {
    const where = platform === "windows" ? `${join(loaded.config.dataDir, "logs", "steward.log")} and the Application event log` : `journalctl -u ${name}`;
    c.out(`warning: ${name} did not keep running (${state}); ${where} say why. Fix that, then: steward service start --name ${name}`);
  }
  return code;
}
