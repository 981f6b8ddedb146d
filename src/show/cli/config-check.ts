// `steward config check` beyond the schema: everything `steward run` would refuse at start-up, found in one pass
// and reported with the file, line and key of each problem, in line order. Certificate and key files are read
// (and the REST API's TLS pair loaded as the listener would), file-operation folders are checked for this host,
// the listen rule is applied (counting run-time keys in the real store), and every alert template renders.
import { existsSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { join, resolve } from "node:path";
import { createSecureContext } from "node:tls";
import type { LoadedConfig } from "./steward-config";
import { formatPath, nodeAt, type YamlSource } from "../../platform/config/yaml-source";
import { describeError } from "../../platform/core/errors";
import { hostFlavour, type PathFlavour } from "../../keep/files/path-rules";
import { resolveConfiguredDir } from "../../keep/files/setup";
import { notifyProblems } from "../../tell/notify/check";
import { qlikCertProblems } from "../../platform/qlik/qrs-certs";
import { listenRuleRefusal } from "../../platform/security/service";
import { describeKeylessAccess } from "../../platform/security/access-summary";

export interface ConfigProblem {
  path: Array<string | number>;
  message: string;
}

export interface CheckOptions {
  /** Check file-operation folders as on this kind of host (default: this one); the docs tests check Windows examples on Linux. */
  flavour?: PathFlavour;
}

/** Every problem `run` would stop at, in no particular order (see formatProblems). */
export function findConfigProblems(loaded: LoadedConfig, options: CheckOptions = {}): ConfigProblem[] {
  return [
    ...certificateProblems(loaded),
    ...folderProblems(loaded, options.flavour ?? hostFlavour()),
    ...listenProblems(loaded),
    ...notifyProblems(loaded.config, loaded.baseDir),
  ];
}

/** `file:line:col key: message` lines, in the order of the keys in the file. */
export function formatProblems(problems: ConfigProblem[], src: YamlSource | undefined, file: string): string[] {
  const located = problems.map((p, i) => {
    const node = src ? nodeAt(src, p.path).node : undefined;
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    const pos = src && offset !== undefined ? src.lines.linePos(offset) : { line: 1, col: 1 };
    return { text: `${file}:${pos.line}:${pos.col} ${formatPath(p.path)}: ${p.message}`, line: pos.line, col: pos.col, i };
  });
  located.sort((a, b) => a.line - b.line || a.col - b.col || a.i - b.i);
  return located.map((l) => l.text);
}

function readable(baseDir: string, file: string): { text?: string; error?: string } {
  const path = resolve(baseDir, file);
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (err) {
    return { error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}` };
  }
}

function certificateProblems(loaded: LoadedConfig): ConfigProblem[] {
  const { config, baseDir } = loaded;
  const out: ConfigProblem[] = [];
  // The QRS and Engine clients read the QMC export on first use; a missing file would only show with the first alert.
  if (config.qlik) for (const p of qlikCertProblems(config.qlik, baseDir)) out.push({ path: ["qlik", p.key], message: p.message });

  const tls = config.security.tls;
  if (tls) {
    const files = { certFile: tls.certFile, keyFile: tls.keyFile, ...(tls.caFile ? { caFile: tls.caFile } : {}) };
    const texts: Record<string, string> = {};
    for (const [key, file] of Object.entries(files)) {
      const r = readable(baseDir, file);
      if (r.error) out.push({ path: ["security", "tls", key], message: r.error });
      else texts[key] = r.text!;
    }
    // The listener refuses a certificate and key that do not load (or do not match, or a wrong passphrase).
    if (texts.certFile !== undefined && texts.keyFile !== undefined) {
      try {
        createSecureContext({
          cert: texts.certFile,
          key: texts.keyFile,
          ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
          ...(texts.caFile ? { ca: texts.caFile } : {}),
        });
      } catch (err) {
        out.push({
          path: ["security", "tls", "certFile"],
          message: `the HTTPS listener cannot use ${tls.certFile} with ${tls.keyFile}: ${describeError(err)}`,
        });
      }
    }
  }

  const mqttTls = config.mqtt?.enabled ? config.mqtt.tls : undefined;
  if (mqttTls) {
    for (const key of ["ca", "cert", "key"] as const) {
      const file = mqttTls[key];
      const r = file ? readable(baseDir, file) : {};
      if (r.error) out.push({ path: ["mqtt", "tls", key], message: r.error });
    }
  }
  if (config.heartbeat?.enabled && config.heartbeat.ca) {
    const r = readable(baseDir, config.heartbeat.ca);
    if (r.error) out.push({ path: ["heartbeat", "ca"], message: r.error });
  }
  return out;
}

function folderProblems(loaded: LoadedConfig, flavour: PathFlavour): ConfigProblem[] {
  const f = loaded.config.files;
  if (!f) return [];
  const entries: Array<[string, Array<string | number>]> = [
    ...f.copy.flatMap(
      (p, i): Array<[string, Array<string | number>]> => [
        [p.from, ["files", "copy", i, "from"]],
        [p.to, ["files", "copy", i, "to"]],
      ],
    ),
    ...f.move.flatMap(
      (p, i): Array<[string, Array<string | number>]> => [
        [p.from, ["files", "move", i, "from"]],
        [p.to, ["files", "move", i, "to"]],
      ],
    ),
    ...f.delete.map((d, i): [string, Array<string | number>] => [d, ["files", "delete", i]]),
    ...f.createDir.map((d, i): [string, Array<string | number>] => [d, ["files", "createDir", i]]),
    ...(f.qvdRoot === undefined ? [] : [[f.qvdRoot, ["files", "qvdRoot"]] as [string, Array<string | number>]]),
  ];
  const out: ConfigProblem[] = [];
  for (const [dir, path] of entries) {
    try {
      resolveConfiguredDir(dir, formatPath(path), loaded.baseDir, flavour, f.allowUnc);
    } catch (err) {
      // The guard names the setting itself; the line prefix names it already.
      const setting = formatPath(path);
      const message = (err as Error).message;
      out.push({ path, message: message.startsWith(`${setting}: `) ? message.slice(setting.length + 2) : message });
    }
  }
  return out;
}

/** Active run-time keys (POST /v4/admin/apikeys) in the config's own store, read without changing it. */
export function storedKeyCount(dataDir: string): number {
  const file = join(dataDir, "steward.db");
  if (!existsSync(file)) return 0;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    const row = db.prepare("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL").get() as { n: number } | undefined;
    return Number(row?.n ?? 0);
  } catch {
    // No such table yet (a store from before keys existed) or a store we may not read: no run-time keys known.
    return 0;
  } finally {
    db?.close();
  }
}

function listenProblems(loaded: LoadedConfig): ConfigProblem[] {
  const { http, security } = loaded.config;
  if (!http.enabled) return [];
  // Single sign-on authenticates people: the API is not open with it (policy.ts: authConfigured).
  const configured = security.apiKeys.length > 0 || security.clientCerts.length > 0 || security.sso !== undefined;
  const authConfigured = configured || (security.storeKeys && storedKeyCount(loaded.config.dataDir) > 0);
  const refusal = listenRuleRefusal(http.host, { authConfigured, config: security });
  return refusal ? [{ path: ["http", "host"], message: refusal }] : [];
}

/** What callers without a key may do, now and once the first key exists (config check and the doctor say it). */
export function keylessAccessNote(config: LoadedConfig["config"]): string | undefined {
  if (!config.http.enabled) return undefined;
  return describeKeylessAccess(config.security, {
    listen: config.http.host,
    ...(config.qlik ? { qlikHost: config.qlik.host } : {}),
    // A cluster's run-time keys are in PostgreSQL: not read here.
    storedKeys: config.store.postgres ? undefined : storedKeyCount(config.dataDir),
  });
}
