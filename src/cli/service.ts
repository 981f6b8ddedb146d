// `steward service install|uninstall|start|stop|status|run`: Steward as a Windows service (native SCM, see
// src/services/install/windows-scm.ts) or a hardened systemd unit. --dry-run prints what would be done.
import { parseArgs } from "node:util";
import { existsSync, lstatSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { envFileFor } from "../config/env-file";
import { loadConfigFile, parseConfigText, type LoadedConfig } from "../config/load";
import type { CommandRunner } from "../services/command-runner";
import { spawnCommand } from "../services/command-runner";
import { describePlan, executePlan, type Plan } from "../services/install/plan";
import { STARTER_CONFIG, writeStarterConfig } from "../services/install/starter-config";
import { systemdInstallPlan, systemdUninstallPlan } from "../services/install/systemd-plan";
import { parseFirewallOpenings, type FirewallOpening } from "../services/install/windows-firewall";
import { DEFAULT_WINDOWS_ACCOUNT, DEFAULT_WINDOWS_SERVICE_NAME, windowsInstallPlan, windowsUninstallPlan } from "../services/install/windows-plan";
import { serviceRun, serviceState, waitForState } from "./service-run";
import { SERVICE_HELP } from "./service-help";
import { withReport } from "./service-report";
import { UsageError } from "./usage";
import { runtime } from "../runtime";

type Platform = "windows" | "linux";

export interface ServiceCommandDeps {
  out: (s: string) => void;
  run?: CommandRunner;
  platform?: string;
  /** argv that starts this Steward (exe, and the script when not compiled). */
  self?: string[];
  isRoot?: () => boolean;
}

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
      ...(o.firewall?.length
        ? { firewall: { openings: o.firewall, udp, http, ...(o.firewallRemote ? { remote: o.firewallRemote } : {}) } }
        : {}),
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
    user: o.user,
    createUser: o.createUser,
    httpPort: loaded.config.http.port,
    start: o.start,
  });
}

const SERVICE_OPTIONS = {
  config: { type: "string", short: "c" },
  name: { type: "string" },
  account: { type: "string" },
  password: { type: "string" },
  user: { type: "string" },
  platform: { type: "string" },
  start: { type: "boolean" },
  update: { type: "boolean" },
  "create-config": { type: "boolean" },
  firewall: { type: "string" },
  "firewall-remote": { type: "string" },
  report: { type: "string" },
  "own-folder": { type: "string" },
  "dry-run": { type: "boolean" },
  "log-level": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type ServiceValues = ReturnType<typeof parseServiceArgs>["values"];

function parseServiceArgs(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: SERVICE_OPTIONS });
}

interface ServiceContext {
  values: ServiceValues;
  platform: Platform;
  name: string;
  run: CommandRunner;
  dryRun: boolean;
  out: (s: string) => void;
  deps: ServiceCommandDeps;
}

export async function serviceCommand(argv: string[], deps: ServiceCommandDeps): Promise<number> {
  const { values, positionals } = parseServiceArgs(argv);
  const sub = positionals[0];
  if (values.help || !sub) {
    deps.out(SERVICE_HELP);
    return values.help ? 0 : 2;
  }
  const os = values.platform ?? deps.platform ?? process.platform;
  const platform: Platform = os === "windows" || os === "win32" ? "windows" : os === "linux" ? "linux" : (() => {
    throw new UsageError(`service: Windows and Linux (systemd) are supported, not ${os}`);
  })();
  const name = values.name || (platform === "windows" ? DEFAULT_WINDOWS_SERVICE_NAME : "steward");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/.test(name)) throw new UsageError(`service: --name must be letters, digits, '.', '_' or '-' (got "${name}")`);
  const ctx = { values, platform, name, run: deps.run ?? spawnCommand, dryRun: Boolean(values["dry-run"]), deps };
  // Checked before anything is written there (the report included): a link planted in its place by a local user
  // would have this elevated process write, or set rights, wherever it points.
  if (values["own-folder"]) assertNotALink(values["own-folder"]);
  // --report FILE (the MSI's custom actions): a copy of everything said, errors included, since the output of a
  // program that Windows Installer runs is shown nowhere.
  return withReport(values.report, `service ${sub} --name ${name}`, deps.out, (out) => serviceSubcommand(sub, { ...ctx, out }));
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

function assertNotALink(folder: string): void {
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

/** Prints a plan (--dry-run) or runs it, one line per step. */
async function execute(c: ServiceContext, plan: Plan): Promise<number> {
  if (c.dryRun) {
    c.out(describePlan(plan, c.platform === "windows"));
    return 0;
  }
  if (c.platform === "linux" && !(c.deps.isRoot ?? (() => process.getuid?.() === 0))()) {
    throw new UsageError("service: installing a systemd unit needs root; run it with sudo, or add --dry-run to see what it would do");
  }
  const ok = await executePlan(plan, c.run, (r) => {
    const mark = r.ok ? "ok  " : r.step.kind === "run" && r.step.optional ? "skip" : "FAIL";
    const what = r.step.kind === "run" ? r.step.why : `${r.step.why}: ${r.step.path}`;
    const detail = r.ok ? "" : `: ${r.step.kind === "run" ? r.output.split("\n").slice(-3).join(" ") : r.output}`;
    c.out(`${mark} ${what}${detail}`);
  });
  if (!ok) {
    if (c.platform === "windows") c.out("Tip: sc.exe needs an elevated prompt (Run as administrator); error 1073 means the service exists already (--update reconfigures it).");
    return 1;
  }
  for (const n of plan.notes) c.out(n);
  return 0;
}

async function serviceInstall(c: ServiceContext): Promise<number> {
  const { values, platform, name, run, dryRun } = c;
  if (!values.config) throw new UsageError("service install: --config FILE is required (the service reads that file at every start)");
  const firewall = parseFirewallOpenings(values.firewall);
  if ("error" in firewall) throw new UsageError(`service install: ${firewall.error}`);
  if (firewall.length && platform !== "windows") throw new UsageError("service install: --firewall opens the Windows Firewall; on Linux open the ports with your firewall (nftables, firewalld, ufw)");
  const remote = values["firewall-remote"] || undefined;
  if (remote !== undefined && !/^[A-Za-z0-9.:/,-]{1,2000}$/.test(remote)) {
    throw new UsageError("service install: --firewall-remote takes addresses, ranges or CIDRs separated by commas (10.0.0.11,10.0.1.0/24)");
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
  const code = await execute(c, plan);
  if (code !== 0 || dryRun || !values.start) return code;
  // A started service can still stop at once (a config that refuses to start, a port in use). The install stands
  // (fix the config, start again), but what happened is said, also in an MSI's installer.log.
  const state = await waitForState(run, platform, name, "RUNNING", 60_000);
  if (state === "RUNNING") c.out(`${name}: RUNNING`);
  else {
    const where = platform === "windows" ? `${join(loaded.config.dataDir, "logs", "steward.log")} and the Application event log` : `journalctl -u ${name}`;
    c.out(`warning: ${name} did not keep running (${state}); ${where} say why. Fix that, then: steward service start --name ${name}`);
  }
  return code;
}

async function serviceSubcommand(sub: string, c: ServiceContext): Promise<number> {
  const { values, platform, name, run, dryRun } = c;
  switch (sub) {
    case "install":
      return serviceInstall(c);
    case "uninstall":
      return execute(c, platform === "windows" ? windowsUninstallPlan(name) : systemdUninstallPlan(name));
    case "start":
    case "stop": {
      const argv = platform === "windows" ? ["sc.exe", sub, name] : ["systemctl", sub, `${name}.service`];
      if (dryRun) return execute(c, { steps: [{ kind: "run", why: `${sub} the service`, argv }], notes: [] });
      const r = await run(argv[0]!, argv.slice(1), { timeoutMs: 60_000 });
      if (r.code !== 0) {
        c.out(`${argv.join(" ")} failed (exit ${r.code}): ${`${r.stdout}${r.stderr}`.trim()}`);
        return 1;
      }
      const want = sub === "start" ? "RUNNING" : "STOPPED";
      const state = await waitForState(run, platform, name, want, 60_000);
      c.out(`${name}: ${state}`);
      return state === want ? 0 : 1;
    }
    case "status": {
      const s = await serviceState(run, platform, name);
      c.out(`${name}: ${s.text}`);
      return s.ok ? 0 : 1;
    }
    case "run":
      if (!values.config) throw new UsageError("service run: --config FILE is required");
      return serviceRun({ configFile: values.config, name, logLevel: values["log-level"] });
    default:
      throw new UsageError(`service: expected install, uninstall, start, stop or status, got '${sub}'`);
  }
}
