// Finds the external programs the tests run (Debian packages) and says how to install the missing ones.
// Shared by scripts/test.ts (pre-flight check) and the test helpers that start them.

import { postgresBinDirs } from "../../src/show/demo/private-postgres";

/** sbin dirs are not on a non-root PATH, but mosquitto and friends live there on Debian. */
const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/lib/wine", ...postgresBinDirs()];

export interface ExternalTool {
  /** What the tests use it for. */
  purpose: string;
  /** Candidate executable names or absolute paths, first found wins. */
  candidates: string[];
  /** Debian package that ships it (installed by scripts/install-test-deps.sh). */
  debianPackage: string;
}

export const EXTERNAL_TOOLS = {
  mosquitto: { purpose: "MQTT broker", candidates: ["mosquitto"], debianPackage: "mosquitto" },
  influxd: { purpose: "InfluxDB 1.x server", candidates: ["influxd"], debianPackage: "influxdb" },
  victoriaMetrics: {
    purpose: "VictoriaMetrics (InfluxDB v2 write API)",
    candidates: ["victoria-metrics", "victoria-metrics-prod"],
    debianPackage: "victoria-metrics",
  },
  wine: { purpose: "runs the Windows binary", candidates: ["wine64", "wine"], debianPackage: "wine64" },
  mingwGcc: {
    purpose: "compiles the Wine bcryptprimitives shim",
    candidates: ["x86_64-w64-mingw32-gcc"],
    debianPackage: "gcc-mingw-w64-x86-64",
  },
  wixl: { purpose: "builds the Windows installer (MSI)", candidates: ["wixl"], debianPackage: "wixl" },
  msiinfo: { purpose: "reads the MSI's tables back (msitools also has msibuild, which finishes them)", candidates: ["msiinfo"], debianPackage: "msitools" },
  osslsigncode: { purpose: "signs the release's exe and MSI (Authenticode)", candidates: ["osslsigncode"], debianPackage: "osslsigncode" },
  unzip: { purpose: "reads the release zip back", candidates: ["unzip"], debianPackage: "unzip" },
  chromium: { purpose: "browser tests", candidates: ["chromium"], debianPackage: "chromium" },
  firefox: { purpose: "browser tests in a second engine (WebDriver BiDi)", candidates: ["firefox-esr", "firefox"], debianPackage: "firefox-esr" },
  postgres: { purpose: "PostgreSQL server (the cluster store)", candidates: ["postgres"], debianPackage: "postgresql" },
  initdb: { purpose: "creates the PostgreSQL test cluster", candidates: ["initdb"], debianPackage: "postgresql" },
  setpriv: { purpose: "runs PostgreSQL as nobody when the tests run as root", candidates: ["setpriv"], debianPackage: "util-linux" },
  alertmanager: {
    purpose: "Prometheus Alertmanager (the alertmanager channel)",
    candidates: ["prometheus-alertmanager", "alertmanager"],
    debianPackage: "prometheus-alertmanager",
  },
  faketime: { purpose: "runs a Steward with its clock shifted (cluster clock tests)", candidates: ["faketime"], debianPackage: "faketime" },
  systemdAnalyze: {
    purpose: "verifies the generated systemd unit file",
    candidates: ["systemd-analyze"],
    debianPackage: "systemd",
  },
} satisfies Record<string, ExternalTool>;

export type ExternalToolName = keyof typeof EXTERNAL_TOOLS;

/** Absolute path of the first candidate found on PATH (plus the sbin dirs), or undefined. */
export function findExecutable(candidates: readonly string[]): string | undefined {
  const path = [process.env.PATH ?? "", ...EXTRA_DIRS].join(":");
  for (const name of candidates) {
    const found = Bun.which(name, { PATH: path });
    if (found) return found;
  }
  return undefined;
}

/** Path of an external tool, or a thrown error that says exactly how to get it. */
export function requireTool(name: ExternalToolName): string {
  const tool = EXTERNAL_TOOLS[name];
  const found = findExecutable(tool.candidates);
  if (!found) {
    throw new Error(
      `${tool.candidates[0]} (${tool.purpose}, Debian package ${tool.debianPackage}) is not installed: ` + "run `sudo bash scripts/install-test-deps.sh`",
    );
  }
  return found;
}

/** Names of the tools that are missing on this machine. */
export function missingTools(): ExternalToolName[] {
  return (Object.keys(EXTERNAL_TOOLS) as ExternalToolName[]).filter((n) => findExecutable(EXTERNAL_TOOLS[n].candidates) === undefined);
}
