// Turns the embedded config/demo.yaml into the demo's actual configuration: the ports picked at start and the
// simulator's certificate folder (inside the demo data folder) are written into the YAML before it is
// validated like any other config.
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { parseConfigText, type LoadedConfig } from "../config/load";
import type { DemoPorts } from "./ports";

export interface DemoConfig {
  loaded: LoadedConfig;
  dataDir: string;
  certDir: string;
}

export function buildDemoConfig(yaml: string, baseDir: string, ports: DemoPorts): DemoConfig {
  const doc = parseDocument(yaml);
  const dataDir = resolve(baseDir, String(doc.get("dataDir") ?? "./data/demo"));
  const certDir = join(dataDir, "sim-certs");
  doc.setIn(["http", "port"], ports.http);
  doc.setIn(["udp", "port"], ports.udp);
  doc.setIn(["qlik", "qrsPort"], ports.qrs);
  doc.setIn(["qlik", "enginePort"], ports.engine);
  doc.setIn(["qlik", "certDir"], certDir);
  if (doc.hasIn(["versionMonitor"])) doc.setIn(["versionMonitor", "port"], ports.version);
  doc.setIn(["channels", "ops-mail", "smtp", "port"], ports.smtp);
  doc.setIn(["channels", "ops-webhook", "url"], `http://127.0.0.1:${ports.webhook}/hooks/qlik`);
  return { loaded: parseConfigText(doc.toString(), "demo.yaml", baseDir), dataDir, certDir };
}
