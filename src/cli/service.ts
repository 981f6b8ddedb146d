// `steward service install|uninstall|start|stop|status|run`: Steward as a Windows service (native SCM, see
// src/services/install/windows-scm.ts) or a hardened systemd unit. --dry-run prints what would be done.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { envFileFor } from "../config/env-file";
import { loadConfigFile, type LoadedConfig } from "../config/load";
import type { CommandRunner } from "../services/command-runner";
import { spawnCommand } from "../services/command-runner";
import { describePlan, executePlan, type Plan } from "../services/install/plan";
import { systemdInstallPlan, systemdUninstallPlan } from "../services/install/systemd-plan";
import { DEFAULT_WINDOWS_ACCOUNT, windowsInstallPlan, windowsUninstallPlan } from "../services/install/windows-plan";
import { serviceRun, serviceState, waitForState } from "./service-run";
import { SERVICE_HELP } from "./service-help";
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

export function installPlan(platform: Platform, loaded: LoadedConfig, o: { name: string; self: string[]; account?: string; password?: string; user: string; createUser: boolean; start: boolean }): Plan {
  const configPath = loaded.file!;
  if (platform === "windows") {
    return windowsInstallPlan({
      name: o.name,
      command: [...o.self, "service", "run", "--config", configPath, "--name", o.name],
      configPath,
      envFile: envFileFor(configPath),
      dataDir: loaded.config.dataDir,
      account: o.account ?? DEFAULT_WINDOWS_ACCOUNT,
      ...(o.password ? { password: o.password } : {}),
      start: o.start,
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

export async function serviceCommand(argv: string[], deps: ServiceCommandDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string", short: "c" },
      name: { type: "string" },
      account: { type: "string" },
      password: { type: "string" },
      user: { type: "string" },
      platform: { type: "string" },
      start: { type: "boolean" },
      "dry-run": { type: "boolean" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const sub = positionals[0];
  if (values.help || !sub) {
    deps.out(SERVICE_HELP);
    return values.help ? 0 : 2;
  }
  const os = values.platform ?? deps.platform ?? process.platform;
  const platform: Platform = os === "windows" || os === "win32" ? "windows" : os === "linux" ? "linux" : (() => {
    throw new UsageError(`service: Windows and Linux (systemd) are supported, not ${os}`);
  })();
  const name = values.name ?? (platform === "windows" ? "Steward" : "steward");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/.test(name)) throw new UsageError(`service: --name must be letters, digits, '.', '_' or '-' (got "${name}")`);
  const run = deps.run ?? spawnCommand;
  const dryRun = Boolean(values["dry-run"]);

  const execute = async (plan: Plan): Promise<number> => {
    if (dryRun) {
      deps.out(describePlan(plan, platform === "windows"));
      return 0;
    }
    if (platform === "linux" && !(deps.isRoot ?? (() => process.getuid?.() === 0))()) {
      throw new UsageError("service: installing a systemd unit needs root; run it with sudo, or add --dry-run to see what it would do");
    }
    const ok = await executePlan(plan, run, (r) => {
      if (r.step.kind === "run") deps.out(`${r.ok ? "ok  " : r.step.optional ? "skip" : "FAIL"} ${r.step.why}${r.ok ? "" : `: ${r.output.split("\n").slice(-3).join(" ")}`}`);
      else deps.out(`${r.ok ? "ok  " : "FAIL"} ${r.step.why}: ${r.step.path}${r.ok ? "" : `: ${r.output}`}`);
    });
    if (!ok) {
      if (platform === "windows") deps.out("Tip: sc.exe needs an elevated prompt (Run as administrator); error 1073 means the service exists already.");
      return 1;
    }
    for (const n of plan.notes) deps.out(n);
    return 0;
  };

  switch (sub) {
    case "install": {
      if (!values.config) throw new UsageError("service install: --config FILE is required (the service reads that file at every start)");
      const loaded = loadConfigFile(values.config);
      const user = values.user ?? "steward";
      const createUser = platform === "linux" && !dryRun ? (await run("id", ["-u", user], { timeoutMs: 5000 })).code !== 0 : platform === "linux";
      const plan = installPlan(platform, loaded, { name, self: deps.self ?? selfCommand(), account: values.account, password: values.password, user, createUser, start: Boolean(values.start) });
      return execute(plan);
    }
    case "uninstall":
      return execute(platform === "windows" ? windowsUninstallPlan(name) : systemdUninstallPlan(name));
    case "start":
    case "stop": {
      const argv = platform === "windows" ? ["sc.exe", sub, name] : ["systemctl", sub, `${name}.service`];
      if (dryRun) return execute({ steps: [{ kind: "run", why: `${sub} the service`, argv }], notes: [] });
      const r = await run(argv[0]!, argv.slice(1), { timeoutMs: 60_000 });
      if (r.code !== 0) {
        deps.out(`${argv.join(" ")} failed (exit ${r.code}): ${`${r.stdout}${r.stderr}`.trim()}`);
        return 1;
      }
      const want = sub === "start" ? "RUNNING" : "STOPPED";
      const state = await waitForState(run, platform, name, want, 60_000);
      deps.out(`${name}: ${state}`);
      return state === want ? 0 : 1;
    }
    case "status": {
      const s = await serviceState(run, platform, name);
      deps.out(`${name}: ${s.text}`);
      return s.ok ? 0 : 1;
    }
    case "run":
      if (!values.config) throw new UsageError("service run: --config FILE is required");
      return serviceRun({ configFile: values.config, name, logLevel: values["log-level"] });
    default:
      throw new UsageError(`service: expected install, uninstall, start, stop or status, got '${sub}'`);
  }
}
