// What `steward service install|uninstall` does on Windows: sc.exe registers the service (automatic start,
// restart on failure, chosen account), reg.exe registers the event-log source, icacls gives a non-system
// account the data and config folders, netsh opens the firewall when asked. The service's command line runs
// `steward service run`, which talks to the Service Control Manager natively (see windows-scm.ts). The MSI
// (installer/steward.wxs) runs these same plans, so both ways of installing register the same service.
import type { Plan, Step } from "./plan";
import { firewallRemovalSteps, firewallSteps, type FirewallOptions } from "./windows-firewall";

export interface WindowsInstallOptions {
  name: string;
  /** The command line of the service process, as argv (exe first). */
  command: string[];
  configPath: string;
  /** The secrets file `steward service run` reads for ${env:…} (`<config name>.env` next to the config). */
  envFile: string;
  dataDir: string;
  /** "LocalSystem", "NT AUTHORITY\\LocalService", "NT AUTHORITY\\NetworkService", "DOMAIN\\user" or a gMSA "DOMAIN\\name$". */
  account: string;
  password?: string;
  start: boolean;
  /** The service exists already: reconfigure it in place (sc config), restarting it when `start`. */
  update?: boolean;
  /** Folders of this Steward alone (the MSI's, one made for a starter config): only Administrators and SYSTEM. */
  restrictFolders?: string[];
  firewall?: Omit<FirewallOptions, "service" | "program">;
}

export const DEFAULT_WINDOWS_SERVICE_NAME = "Steward";
export const DEFAULT_WINDOWS_ACCOUNT = "NT AUTHORITY\\LocalService";
const EVENT_MESSAGES_DLL = "%SystemRoot%\\Microsoft.NET\\Framework64\\v4.0.30319\\EventLogMessages.dll";
const eventSourceKey = (name: string) => `HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\${name}`;

/** The quoted command line CreateProcess gets from the SCM (binPath=). */
export function windowsCommandLine(argv: string[]): string {
  return argv.map((a) => (/[\s"]/.test(a) || a === "" ? `"${a.replace(/"/g, '\\"')}"` : a)).join(" ");
}

export function windowsInstallPlan(o: WindowsInstallOptions): Plan {
  const system = /^(LocalSystem|\.\\LocalSystem)$/i.test(o.account);
  const gmsa = o.account.endsWith("$");
  // Accounts whose logon needs no stored password; a domain user's password is only set when one is given.
  const passwordless = system || gmsa || /^NT AUTHORITY\\/i.test(o.account);
  const keepLogon = Boolean(o.update && !passwordless && !o.password);
  const accountArgs = system ? (o.update ? ["obj=", "LocalSystem"] : []) : keepLogon ? [] : ["obj=", o.account, "password=", o.password ?? ""];
  const verb = o.update ? "config" : "create";
  const register: Step = {
    kind: "run",
    why: o.update ? "update the existing service (automatic start)" : "register the service (automatic start)",
    argv: ["sc.exe", verb, o.name, "binPath=", windowsCommandLine(o.command), "start=", "auto", "DisplayName=", `Steward (${o.name})`, ...accountArgs],
    ...(o.password
      ? {
          display: `sc.exe ${verb} ${o.name} binPath= ${JSON.stringify(windowsCommandLine(o.command))} start= auto DisplayName= "Steward (${o.name})" obj= "${o.account}" password= ********`,
        }
      : {}),
  };
  const steps: Step[] = [
    // Stopped first (net stop waits until it has stopped), so the new binary and settings are what starts.
    ...(o.update && o.start ? [{ kind: "run" as const, why: "stop it for the update", argv: ["net.exe", "stop", o.name], optional: true }] : []),
    register,
    {
      kind: "run",
      why: "describe it in services.msc",
      argv: ["sc.exe", "description", o.name, `Steward: Qlik Sense alerts, task starts, key-value store and scheduler. Config: ${o.configPath}`],
    },
    {
      kind: "run",
      why: "restart after 5 s, 30 s, 60 s when it fails (counter reset after a day)",
      argv: ["sc.exe", "failure", o.name, "reset=", "86400", "actions=", "restart/5000/restart/30000/restart/60000"],
    },
    { kind: "run", why: "also restart when it stops with an error code (not only on a crash)", argv: ["sc.exe", "failureflag", o.name, "1"], optional: true },
    {
      kind: "run",
      why: "register the event-log source",
      argv: ["reg.exe", "add", eventSourceKey(o.name), "/v", "EventMessageFile", "/t", "REG_EXPAND_SZ", "/d", EVENT_MESSAGES_DLL, "/f"],
      optional: true,
    },
    {
      kind: "run",
      why: "event types the source writes",
      argv: ["reg.exe", "add", eventSourceKey(o.name), "/v", "TypesSupported", "/t", "REG_DWORD", "/d", "7", "/f"],
      optional: true,
    },
    // Created here so the account can be granted it (a LocalService could not create it under ProgramData).
    { kind: "mkdir", why: "create the data folder", path: o.dataDir },
  ];
  for (const folder of o.restrictFolders ?? []) {
    // Config, secrets file, logs: not for every local user as ProgramData's inherited rights would have it; only
    // Administrators and SYSTEM, plus the account's grants below. (SIDs: the group names are localised.)
    steps.push(
      {
        kind: "run",
        why: `restrict ${folder} to Administrators and SYSTEM`,
        argv: ["icacls.exe", folder, "/inheritance:r", "/grant:r", "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-18:(OI)(CI)F"],
        optional: true,
      },
      // An owner keeps the right to change the rights: a folder a local user made first would stay theirs.
      {
        kind: "run",
        why: `make Administrators the owner of ${folder} and what is in it`,
        argv: ["icacls.exe", folder, "/setowner", "*S-1-5-32-544", "/T", "/C"],
        optional: true,
      },
    );
  }
  if (!system) {
    steps.push(
      { kind: "run", why: `let ${o.account} write the data folder`, argv: ["icacls.exe", o.dataDir, "/grant", `${o.account}:(OI)(CI)M`], optional: true },
      {
        kind: "run",
        why: `let ${o.account} read the config folder`,
        argv: ["icacls.exe", dirnameWin(o.configPath), "/grant", `${o.account}:(OI)(CI)RX`],
        optional: true,
      },
    );
  }
  const firewall = o.firewall ? firewallSteps({ ...o.firewall, service: o.name, program: o.command[0]! }) : { steps: [], notes: [] };
  steps.push(...firewall.steps);
  if (o.start) steps.push({ kind: "run", why: "start it", argv: ["sc.exe", "start", o.name], startsService: true });
  const notes = [
    keepLogon
      ? `Service "${o.name}" keeps the logon account it had (a password is needed to set ${o.account}: give --password).`
      : `Service "${o.name}" runs as ${system ? "LocalSystem" : o.account}${gmsa ? " (group managed service account: no password)" : ""}.`,
    "Logs: <dataDir>\\logs\\steward.log (rolled at 10 MB, 10 kept) and warnings/errors in the Windows Application event log.",
    system || o.account === DEFAULT_WINDOWS_ACCOUNT
      ? "The account must be able to read the Qlik client certificates (qlik.certDir); grant read access or install with --account DOMAIN\\svc_qlik."
      : "",
    `Secrets for \${env:NAME} placeholders: put NAME=value lines into ${o.envFile}; the service reads it at every start and reload ` +
      `(variables set for the service account win). Let only Administrators and the account read it: icacls "${o.envFile}" /inheritance:r /grant:r Administrators:F "${system ? "SYSTEM" : o.account}:R"`,
    ...firewall.notes,
    o.start
      ? ""
      : o.update
        ? `The changes apply at the next start: steward service stop --name ${o.name}, then steward service start --name ${o.name}`
        : `Start it with: steward service start --name ${o.name}`,
  ].filter(Boolean);
  return { steps, notes };
}

export function windowsUninstallPlan(name: string): Plan {
  return {
    steps: [
      // net stop (unlike sc stop) waits until the service has stopped, so its process has let go of steward.exe.
      { kind: "run", why: "stop the service", argv: ["net.exe", "stop", name], optional: true },
      { kind: "run", why: "remove the service", argv: ["sc.exe", "delete", name] },
      { kind: "run", why: "remove the event-log source", argv: ["reg.exe", "delete", eventSourceKey(name), "/f"], optional: true },
      ...firewallRemovalSteps(name),
    ],
    notes: ["The data folder, logs and config file are kept."],
  };
}

function dirnameWin(p: string): string {
  const i = Math.max(p.lastIndexOf("\\"), p.lastIndexOf("/"));
  return i > 0 ? p.slice(0, i) : p;
}
