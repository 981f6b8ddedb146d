// Which settings a STEWARD_* variable (from the environment or steward.env) may not set unless the config file says
// so: those that widen who can reach or act through Steward. A file planted beside the service, or a variable set
// by someone who cannot edit the config, must not turn a loopback-only, keyed API into an open one.
import { AppError } from "../core/errors";

export interface WideningSetting {
  /** Dotted config path; a variable setting it, a key below it or a section holding it is covered. */
  path: string;
  /** What a changed value could open, said in the refusal. */
  opens: string;
  /** Values that do not widen access (set freely). */
  harmless?: (value: unknown) => boolean;
}

const isLoopback = (v: unknown) => typeof v === "string" && /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i.test(v.trim());

/** Every setting that widens access. `security` covers keys, certificates, TLS, allowlists, limits and this policy. */
export const WIDENING_SETTINGS: readonly WideningSetting[] = [
  { path: "http.host", opens: "the REST API to other machines", harmless: isLoopback },
  { path: "security", opens: "the API to callers without a key (anonymous access, keys, certificates, TLS, allowlists, rate limits)" },
  { path: "dataDir", opens: "a store of someone else's making, with its API keys" },
  { path: "store.postgres.url", opens: "a store of someone else's making, with its API keys" },
  { path: "store.postgres.tls", opens: "the store's traffic, API keys included, to whoever sits between" },
  { path: "files", opens: "file copy, move and delete to other folders" },
  { path: "control.startTaskFilter", opens: "task starts beyond the start allowlist" },
  { path: "control.cors", opens: "the API to web pages of other origins" },
  { path: "udp.allowedSources", opens: "task events from other senders" },
  { path: "mqtt.url", opens: "task starts from another MQTT broker" },
  { path: "mqtt.taskStart", opens: "task starts over MQTT" },
  { path: "mqtt.cloudReloadStart", opens: "Qlik Cloud reloads started over MQTT" },
  { path: "qlikCloud", opens: "the Qlik Cloud API key to another tenant" },
  // The signed acknowledge and snooze links in alerts point here (whoever receives a click there holds a link that
  // acts on the alert), and setting it opens the public link landing pages.
  { path: "http.publicUrl", opens: "the acknowledge and snooze links in alerts to another address, and the public link pages" },
  { path: "actionLinks.publicBaseUrl", opens: "the acknowledge and snooze links in alerts to another address, and the public link pages" },
  // Who /status may send confirmation mails to: the guard against mailing people outside the company.
  { path: "status.subscriptions.allowedDomains", opens: "mail from the status page's subscriptions to addresses at other domains" },
];

/** The paths `security.allowEnvOverrides` may list. */
export const WIDENING_PATHS = WIDENING_SETTINGS.map((s) => s.path) as [string, ...string[]];

const covers = (setting: string, path: string) => path === setting || path.startsWith(`${setting}.`) || setting.startsWith(`${path}.`);

/** What the config file allows: `security.allowEnvOverrides` as written in the file (before any variable). */
export function allowedByFile(fileData: Record<string, unknown>): Set<string> {
  const security = fileData.security;
  const list = security && typeof security === "object" ? (security as Record<string, unknown>).allowEnvOverrides : undefined;
  return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : []);
}

/**
 * Throws CONFIG_INVALID when the variable would set a widening setting the file does not allow. `path` is the
 * dotted config path it sets; `from` says where the variable came from (steward.env or the environment).
 */
export function checkOverride(variable: string, path: string, value: unknown, allowed: Set<string>, from: string): void {
  // The policy itself is never set from outside the file (a whole security section would carry it too).
  if (path === "security" || path === "security.allowEnvOverrides" || path.startsWith("security.allowEnvOverrides."))
    throw refused(variable, path, from, undefined);
  for (const s of WIDENING_SETTINGS) {
    if (!covers(s.path, path)) continue;
    if (path === s.path && s.harmless?.(value)) continue;
    if (!allowed.has(s.path)) throw refused(variable, path, from, s);
  }
}

function refused(variable: string, path: string, from: string, s: WideningSetting | undefined): AppError {
  const msg = !s
    ? `environment variable ${variable} (${from}) sets ${path}: which settings variables may widen is said by the config file alone`
    : `environment variable ${variable} (${from}) sets ${path}, which could open ${s.opens}; only the config file may set it. Set it in the file, or list "${s.path}" under security.allowEnvOverrides there (docs/security.md)`;
  return new AppError("CONFIG_INVALID", msg, { details: [msg] });
}
