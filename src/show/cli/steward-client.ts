// How a CLI command reaches the running Steward's API: the address (--url, STEWARD_URL, else the config's http
// block, a wildcard listener asked on loopback) and the key (--api-key, else STEWARD_API_KEY).
import { resolveConfig } from "./config-resolve";

export interface StewardTarget {
  url?: string | undefined;
  config?: string | undefined;
  apiKey?: string | undefined;
}

export interface StewardAnswer<T> {
  ok: boolean;
  status: number;
  statusText: string;
  /** The JSON body (an empty object when it was none); a refusal's `error` names the reason. */
  data: T & { error?: string };
}

export function stewardUrl(t: StewardTarget): string {
  const explicit = t.url ?? process.env.STEWARD_URL;
  if (explicit) return explicit.replace(/\/+$/, "");
  return localUrl(resolveConfig(t.config ? { config: t.config } : {}).config.http);
}

/** The address this server's Steward answers on, from its http block: a wildcard listener is asked on loopback. */
export function localUrl(http: { host: string; port: number }): string {
  const host = http.host === "0.0.0.0" || http.host === "::" ? "127.0.0.1" : http.host.includes(":") ? `[${http.host}]` : http.host;
  return `http://${host}:${http.port}`;
}

/** Throws an Error a person can act on when Steward cannot be reached; any answer, refusals included, is returned. */
export async function askSteward<T>(t: StewardTarget, method: string, path: string, body?: unknown): Promise<StewardAnswer<T>> {
  const key = t.apiKey ?? process.env.STEWARD_API_KEY;
  const headers: Record<string, string> = { accept: "application/json", ...(key ? { "x-api-key": key } : {}) };
  if (body !== undefined) headers["content-type"] = "application/json";
  const url = `${stewardUrl(t)}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (err) {
    throw new Error(`cannot reach Steward at ${url}: ${(err as Error).message} (give --url, or check that it runs)`);
  }
  return { ok: res.ok, status: res.status, statusText: res.statusText, data: (await res.json().catch(() => ({}))) as T & { error?: string } };
}

/** The answer's body, or undefined after telling `err` why not (unreachable, or Steward's refusal). */
export async function askOrSay<T>(t: StewardTarget, err: (s: string) => void, method: string, path: string, body?: unknown): Promise<T | undefined> {
  let r: StewardAnswer<T>;
  try {
    r = await askSteward<T>(t, method, path, body);
  } catch (e) {
    err((e as Error).message);
    return undefined;
  }
  if (r.ok) return r.data;
  err(`Steward answered ${r.status}: ${r.data.error ?? r.statusText}`);
  return undefined;
}
