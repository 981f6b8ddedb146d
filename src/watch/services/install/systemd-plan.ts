// What `steward service install|uninstall` does on Linux: a system user, the data folder owned by it, and a
// hardened systemd unit (read-only system, writable data and file-operation folders only, no privileges, no
// capabilities) that runs `steward run` and reloads the config on `systemctl reload`.
import type { Plan, Step } from "./plan";

export interface SystemdInstallOptions {
  name: string;
  /** `steward run --config …` as argv (exe first). */
  command: string[];
  configPath: string;
  workingDirectory: string;
  /** The secrets file for ${env:…} (`<config name>.env` next to the config); optional, root may own it. */
  environmentFile: string;
  dataDir: string;
  /** Folders the file operations may write (files.copy/move targets, delete, createDir, qvdRoot). */
  writablePaths: string[];
  /** Folders they only read (files.copy sources): not writable, but hidden all the same under /tmp or /home. */
  readPaths?: string[];
  user: string;
  /** Whether the user must be created. */
  createUser: boolean;
  /** The REST API port: below 1024 needs CAP_NET_BIND_SERVICE. */
  httpPort: number;
  unitDir?: string;
  start: boolean;
}

/** systemd command-line quoting: double quotes around anything with spaces or quotes; % and $ doubled. */
export function systemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  return /[\s"'\\;]/.test(escaped) || escaped === "" ? `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : escaped;
}

// Path lists (ReadWritePaths=) may quote; every path setting expands %-specifiers, so % is doubled.
const pathArg = (p: string) => {
  const escaped = p.replace(/%/g, "%%");
  return /[\s"\\]/.test(escaped) ? `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : escaped;
};
// Single-path settings (WorkingDirectory=, EnvironmentFile=) take the rest of the line as it is: quotes would
// become part of the path, so spaces stay unquoted.
const singlePath = (p: string) => p.replace(/%/g, "%%");

const HOME = /^\/(home|root|run\/user)(\/|$)/;
const TMP = /^\/(tmp|var\/tmp)(\/|$)/;

/**
 * What the unit's hardening would hide from the service: /tmp and /var/tmp are private to it (PrivateTmp=yes), so a
 * config, secrets file or folder there is not the one the service sees. Said before anything is installed.
 */
export function systemdPathWarnings(o: Pick<SystemdInstallOptions, "configPath" | "environmentFile" | "dataDir" | "writablePaths" | "readPaths">): string[] {
  const named: Array<[string, string]> = [
    ["the config", o.configPath],
    ["the secrets file", o.environmentFile],
    ["the data folder", o.dataDir],
    ...o.writablePaths.map((p): [string, string] => ["a file-operation folder", p]),
    ...(o.readPaths ?? []).map((p): [string, string] => ["a file-copy source folder", p]),
  ];
  return named
    .filter(([, p]) => TMP.test(p))
    .map(
      ([what, p]) =>
        `${what} ${p} is under /tmp or /var/tmp, which the service cannot see (the unit sets PrivateTmp=yes): move it, e.g. the config to /etc/steward/steward.yaml and the data to /var/lib/steward`,
    );
}

export function systemdUnit(o: SystemdInstallOptions): string {
  // The config and its secrets file are read by the service too: under /home they need the home folders visible.
  const underHome = [o.configPath, o.environmentFile, o.dataDir, ...o.writablePaths, ...(o.readPaths ?? []), o.workingDirectory].some((p) => HOME.test(p));
  const lowPort = o.httpPort > 0 && o.httpPort < 1024;
  return `# Steward as a systemd service, written by \`steward service install\`. Edit with \`systemctl edit ${o.name}\`.
[Unit]
Description=Steward, companion service for Qlik Sense (alerts, task starts, key-value store, scheduler)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${o.user}
Group=${o.user}
WorkingDirectory=${singlePath(o.workingDirectory)}
# Secrets for \${env:…} in the config, one NAME=value per line; "-": the file is optional. systemd reads it as
# root, so it can be root's alone (chmod 600).
EnvironmentFile=-${singlePath(o.environmentFile)}
ExecStart=${o.command.map(systemdArg).join(" ")}
# SIGHUP reloads the config file (keys, routes, channels, service monitoring) without a restart.
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
UMask=0027
LimitNOFILE=65536

# Hardening: the whole file system is read-only except the data folder and the file-operation folders.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${[o.dataDir, ...o.writablePaths.map((p) => `-${p}`)].map(pathArg).join(" ")}
${underHome ? "# A configured folder is under /home or /root, so home directories stay visible (read-only).\nProtectHome=read-only" : "ProtectHome=yes"}
PrivateTmp=yes
PrivateMounts=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RemoveIPC=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
CapabilityBoundingSet=${lowPort ? "CAP_NET_BIND_SERVICE" : ""}
AmbientCapabilities=${lowPort ? "CAP_NET_BIND_SERVICE" : ""}
# The JavaScript engine compiles code at run time, so MemoryDenyWriteExecute must stay off.

[Install]
WantedBy=multi-user.target
`;
}

export function systemdInstallPlan(o: SystemdInstallOptions): Plan {
  const unitPath = `${o.unitDir ?? "/etc/systemd/system"}/${o.name}.service`;
  const steps: Step[] = [];
  if (o.createUser) {
    steps.push({
      kind: "run",
      why: `create the system user ${o.user}`,
      argv: ["useradd", "--system", "--no-create-home", "--home-dir", o.dataDir, "--shell", "/usr/sbin/nologin", o.user],
    });
  }
  steps.push(
    { kind: "run", why: "create the data folder, owned by the service user", argv: ["install", "-d", "-o", o.user, "-g", o.user, "-m", "0750", o.dataDir] },
    { kind: "write", why: "the unit", path: unitPath, content: systemdUnit(o) },
    { kind: "run", why: "load it", argv: ["systemctl", "daemon-reload"] },
    { kind: "run", why: "start it at boot", argv: ["systemctl", "enable", `${o.name}.service`] },
  );
  if (o.start) steps.push({ kind: "run", why: "start it now", argv: ["systemctl", "start", `${o.name}.service`] });
  return {
    steps,
    notes: [
      ...systemdPathWarnings(o).map((w) => `warning: ${w}`),
      `The config file ${o.configPath} and the Qlik certificates must be readable by ${o.user}.`,
      `Secrets for \${env:NAME} placeholders go into ${o.environmentFile} (NAME=value lines; chmod 600, owned by root).`,
      `Logs go to the journal: journalctl -u ${o.name} -f`,
      `Reload the config after editing it: systemctl reload ${o.name}`,
      ...(o.start ? [] : [`Start it with: steward service start --name ${o.name} (or systemctl start ${o.name})`]),
    ],
  };
}

export function systemdUninstallPlan(name: string, unitDir = "/etc/systemd/system"): Plan {
  return {
    steps: [
      { kind: "run", why: "stop it and remove it from boot", argv: ["systemctl", "disable", "--now", `${name}.service`], optional: true },
      { kind: "run", why: "remove the unit", argv: ["rm", "-f", `${unitDir}/${name}.service`] },
      { kind: "run", why: "forget it", argv: ["systemctl", "daemon-reload"] },
    ],
    notes: ["The data folder, the config file and the service user are kept."],
  };
}
