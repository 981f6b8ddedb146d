// `steward service install|uninstall|start|stop|status|run`: Steward as a Windows service (native SCM, see
// src/watch/services/install/windows-scm.ts) or a hardened systemd unit. --dry-run prints what would be done.
import { spawnCommand } from "../../watch/services/command-runner";
import { systemdUninstallPlan } from "../../watch/services/install/systemd-plan";
import { DEFAULT_WINDOWS_SERVICE_NAME, windowsUninstallPlan } from "../../watch/services/install/windows-plan";
import { execute, parseServiceArgs, type Platform, type ServiceCommandDeps, type ServiceContext } from "./service-context";
import { assertNotALink, serviceInstall } from "./service-install";
import { serviceRun, serviceState, waitForState } from "./service-run";
import { SERVICE_HELP } from "./service-help";
import { withReport } from "./service-report";
import { UsageError } from "./usage";

export type { ServiceCommandDeps } from "./service-context";
export { installPlan, readPathsOf, selfCommand, writablePathsOf, type InstallChoices } from "./service-install";

export async function serviceCommand(argv: string[], deps: ServiceCommandDeps): Promise<number> {
  const { values, positionals } = parseServiceArgs(argv);
  const sub = positionals[0];
  if (values.help || !sub) {
    deps.out(SERVICE_HELP);
    return values.help ? 0 : 2;
  }
  const os = values.platform ?? deps.platform ?? process.platform;
  const platform: Platform =
    os === "windows" || os === "win32"
      ? "windows"
      : os === "linux"
        ? "linux"
        : (() => {
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
