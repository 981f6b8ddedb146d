// Turns the embedded config/demo.yaml into the demo's actual configuration: the ports picked at start and the
// simulator's certificate folder (inside the demo data folder) are written into the YAML before it is
// validated like any other config.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { loadConfigFile, parseConfigText, type LoadedConfig } from "../cli/steward-config";
import type { DemoPorts } from "./ports";

export interface DemoConfig {
  loaded: LoadedConfig;
  /** The YAML the demo runs: config/demo.yaml with its ports and folders filled in, every path absolute. */
  yaml: string;
  dataDir: string;
  certDir: string;
  /** The API key config/demo.yaml gives its Qlik Cloud tenant: the simulator's tenant is started with it. */
  cloudApiKey?: string;
}

/** One Steward of the demo's cluster: its own ports and data folder (inside the demo's), the shared store. */
export interface DemoInstance {
  name: string;
  httpPort: number;
  udpPort: number;
  postgresUrl: string;
}

/** Where config/demo.yaml lives in a clone, from its root (the folder `npm run demo` runs in). */
export const DEMO_CONFIG_FOLDER = "config";

/** How fast the demo's cluster notices a vanished leader (a clean stop hands its duties over at once). */
export const DEMO_LEASE_MS = 6_000;
export const DEMO_HEARTBEAT_MS = 1_000;

/**
 * `workDir`: the working folder the demo runs in. The YAML is config/demo.yaml of a clone, so its relative paths are
 * read from `<workDir>/config`, as `steward config check config/demo.yaml` and `steward doctor` read them from the
 * clone's root: both name the same `data/demo` folder.
 */
export function buildDemoConfig(yaml: string, workDir: string, ports: DemoPorts, instance?: DemoInstance): DemoConfig {
  const doc = parseDocument(yaml);
  const baseDir = join(resolve(workDir), DEMO_CONFIG_FOLDER);
  const dataDir = resolve(baseDir, String(doc.get("dataDir") ?? "../data/demo"));
  const certDir = join(dataDir, "sim-certs");
  doc.setIn(["http", "port"], instance?.httpPort ?? ports.http);
  // The alerts' Acknowledge and Snooze links and their dashboard links point at the port the demo took. The file names
  // its loopback address too, so that `config check config/demo.yaml` passes the checks that need one (status
  // subscriptions); a loopback address follows the port taken, an address of the user's own stays as written.
  const publicUrl = doc.getIn(["http", "publicUrl"]);
  if (publicUrl === undefined || isLoopbackUrl(publicUrl))
    doc.setIn(["http", "publicUrl"], `http://${String(doc.getIn(["http", "host"]) ?? "127.0.0.1")}:${instance?.httpPort ?? ports.http}`);
  doc.setIn(["udp", "port"], instance?.udpPort ?? ports.udp);
  // Absolute, so the file the demo runs from (runningDemoConfig) names the same folder wherever it is written.
  doc.set("dataDir", instance ? join(dataDir, instance.name) : dataDir);
  if (instance) {
    doc.setIn(
      ["store", "postgres"],
      doc.createNode({ url: instance.postgresUrl, instanceName: instance.name, leaseTtlMs: DEMO_LEASE_MS, heartbeatIntervalMs: DEMO_HEARTBEAT_MS }),
    );
  }
  doc.setIn(["qlik", "qrsPort"], ports.qrs);
  doc.setIn(["qlik", "enginePort"], ports.engine);
  doc.setIn(["qlik", "certDir"], certDir);
  if (doc.hasIn(["versionMonitor"])) doc.setIn(["versionMonitor", "port"], ports.version);
  if (doc.hasIn(["qlikCloud"])) {
    // The simulated tenant: its port and the simulator's CA. Its key stays the YAML's, so `steward doctor
    // config/demo.yaml` reaches the tenant while the demo runs, and a clean clone's file checks without one.
    doc.setIn(["qlikCloud", "tenants", 0, "url"], `https://127.0.0.1:${ports.cloud}`);
    doc.setIn(["qlikCloud", "tenants", 0, "caFile"], join(certDir, "root.pem"));
  }
  const key = doc.getIn(["qlikCloud", "tenants", 0, "apiKey"]);
  doc.setIn(["channels", "ops-mail", "smtp", "port"], ports.smtp);
  doc.setIn(["channels", "ops-webhook", "url"], `http://127.0.0.1:${ports.webhook}/hooks/qlik`);
  const text = doc.toString();
  return {
    loaded: parseConfigText(text, "demo.yaml", baseDir),
    yaml: text,
    dataDir,
    certDir,
    ...(typeof key === "string" ? { cloudApiKey: key } : {}),
  };
}

/** An address on this machine: the demo's own, which follows the ports the demo takes. */
function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const host = new URL(value).hostname;
    return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}

/**
 * The demo's Steward runs from a file, as every Steward does: its YAML written into the demo's data folder (emptied at
 * each start) and read back from there. A reload (SIGHUP, POST /v4/admin/reload) and the noise report's Apply then
 * have a file to read and change; config/demo.yaml of the clone stays as it is.
 */
export function runningDemoConfig(cfg: DemoConfig, file: string): LoadedConfig {
  writeFileSync(file, cfg.yaml, { mode: 0o600 });
  return loadConfigFile(file);
}
