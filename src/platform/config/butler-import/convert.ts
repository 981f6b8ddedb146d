// Converts a Butler YAML config into a Steward config: every Butler leaf ends up mapped, reported as not
// mappable (with the reason), or counted as off (a feature disabled in Butler). The result is validated
// against Steward's schema before it is returned.
import { parseYamlValue } from "../yaml-value";
import { AppError } from "../../core/errors";
import { createButlerTree } from "./tree";
import type { Ctx, Obj } from "./context";
import { mapAlerts } from "./map-alerts";
import {
  mapControl,
  mapHeartbeatAndUptime,
  mapLogging,
  mapMqttConnection,
  mapQlik,
  mapServiceMonitor,
  mapStoreAndScheduler,
  mapUdp,
  mapUnsupported,
} from "./map-core";
import { mapFiles, mapRest } from "./map-rest";
import { mapNewRelicAccounts } from "./map-incident";
import { mapSiteMonitors } from "./map-site";

export interface ImportReport {
  mapped: number;
  /** Leaves of enabled features without a Steward equivalent, grouped by the subtree that explains them. */
  unmapped: Array<{ key: string; reason: string; leaves: string[] }>;
  /** Subtrees of features disabled in Butler, with their leaf counts. */
  off: Array<{ key: string; leaves: number }>;
  review: string[];
  /** Steps the admin must take before going live (shown first, in capitals). */
  actions: string[];
}

export interface ConvertResult {
  config: Obj;
  report: ImportReport;
}

const UNKNOWN = "not a Butler key Steward knows (a typo, or from another Butler version)";
const ORDER = [
  "dataDir",
  "logging",
  "http",
  "udp",
  "qlik",
  "intake",
  "control",
  "mqtt",
  "kv",
  "files",
  "scheduler",
  "channels",
  "routes",
  "notify",
  "incidents",
  "security",
  "serviceMonitor",
  "heartbeat",
  "uptimeMonitor",
  "newRelic",
  "licenseMonitor",
  "licenseRelease",
  "versionMonitor",
];

export function convertButlerConfig(text: string, file: string, opts: { schedulesFile?: string; schedulesImportFile?: string } = {}): ConvertResult {
  let doc: unknown;
  try {
    doc = parseYamlValue(text, file);
  } catch (err) {
    throw new AppError("CONFIG_INVALID", `${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || typeof doc !== "object" || !("Butler" in (doc as Obj))) {
    throw new AppError("CONFIG_INVALID", `${file}: expected Butler's config format (a mapping with the root key Butler)`);
  }
  const t = createButlerTree(doc);
  const c: Ctx = {
    t,
    out: { dataDir: "./data" },
    review: [],
    actions: [],
    ...(opts.schedulesFile ? { schedulesFile: opts.schedulesFile } : {}),
    ...(opts.schedulesImportFile ? { schedulesImportFile: opts.schedulesImportFile } : {}),
  };
  mapLogging(c);
  mapRest(c);
  mapUdp(c);
  mapQlik(c);
  mapControl(c);
  mapMqttConnection(c);
  mapStoreAndScheduler(c);
  mapFiles(c);
  mapNewRelicAccounts(c);
  const alerts = mapAlerts(c);
  if (Object.keys(alerts.channels).length) c.out.channels = alerts.channels;
  if (alerts.routes.length) c.out.routes = alerts.routes;
  mapServiceMonitor(c);
  mapHeartbeatAndUptime(c, alerts.influx);
  mapSiteMonitors(c, alerts.influx);
  mapUnsupported(c);
  // Butler sent no "succeeded with warnings" alerts, and renotified on every failure (Steward's default): a site that
  // switches over gets what it had, and turns the warnings on when it wants them.
  c.out.incidents = { warnings: { enabled: false } };
  if (Object.keys(alerts.channels).length && !c.out.qlik)
    c.review.push("No Qlik Sense connection (configQRS.host) was found: alerts go out without task, app and script-log details until qlik: is set.");

  const config: Obj = {};
  for (const k of ORDER) if (c.out[k] !== undefined) config[k] = c.out[k];
  const secrets = clearTextSecrets(config, "");
  if (secrets.length) {
    c.review.push(
      `Secrets copied from the Butler file in clear text: ${secrets.join(", ")}. Put them in environment variables or files and write \${env:NAME} or \${file:PATH} instead (with --out the converted file is written readable by its owner only).`,
    );
  }
  return { config, report: buildReport(c) };
}

const SECRET_KEYS = new Set(["password", "token", "insertApiKey"]);

/** Paths of passwords and tokens given as literal text (not as ${env:…} / ${file:…} references). */
function clearTextSecrets(v: unknown, path: string): string[] {
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v as Obj).flatMap(([k, x]) => {
    const p = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (SECRET_KEYS.has(k) && typeof x === "string" && x !== "" && !x.startsWith("${")) return [p];
    return clearTextSecrets(x, p);
  });
}

function buildReport(c: Ctx): ImportReport {
  let mapped = 0;
  const unmapped = new Map<string, { reason: string; leaves: string[] }>();
  const off = new Map<string, number>();
  for (const leaf of c.t.leaves()) {
    if (leaf === "") continue;
    const v = c.t.verdict(leaf);
    if (v?.kind === "mapped") mapped++;
    else if (v?.kind === "off") off.set(v.at!, (off.get(v.at!) ?? 0) + 1);
    else {
      const key = v?.at ?? leaf;
      const reason = v?.kind === "unmapped" ? v.reason : UNKNOWN;
      const entry = unmapped.get(key) ?? { reason, leaves: [] };
      entry.leaves.push(leaf);
      unmapped.set(key, entry);
    }
  }
  return {
    mapped,
    unmapped: [...unmapped].map(([key, e]) => ({ key, reason: e.reason, leaves: e.leaves })),
    off: [...off].map(([key, leaves]) => ({ key, leaves })),
    review: c.review,
    actions: c.actions,
  };
}
