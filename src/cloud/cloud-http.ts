// The Qlik Cloud REST transport: node:https with a keep-alive agent (Bun's native TLS client fails under Wine, see
// DESIGN.md), the API key as a bearer token, a timeout, a bounded body, and every answer that is not what was
// asked for turned into one typed error the poller can act on (back off, wait, report once).
import { readFileSync } from "node:fs";
import https from "node:https";
import { resolve } from "node:path";
import { rootCertificates } from "node:tls";
import { AppError } from "../core/errors";

/** Why a call failed, as the poller treats it. */
export type CloudFailure =
  | { kind: "auth"; status: number; message: string }
  | { kind: "rate"; retryAfterMs: number; message: string }
  | { kind: "server"; status: number; message: string }
  | { kind: "bad_answer"; message: string }
  | { kind: "network"; message: string }
  | { kind: "client"; status: number; message: string };

export class CloudCallError extends Error {
  constructor(readonly failure: CloudFailure) {
    super(failure.message);
    this.name = "CloudCallError";
  }
}

export interface CloudHttp {
  /** GET or POST a JSON resource; throws CloudCallError. */
  json(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown>;
  /** GET a text resource (a reload log), at most `maxBytes` of it (the end is what matters: it is kept). */
  text(path: string, maxBytes: number): Promise<{ text: string; cut: boolean }>;
  /** A new key (a config reload after the old one expired): the next call uses it. */
  setApiKey(key: string): void;
  close(): void;
}

export interface CloudHttpOptions {
  url: string;
  /** An API key, or a machine-to-machine OAuth client whose access tokens are fetched and renewed here. */
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string; scope?: string };
  caFile?: string;
  baseDir: string;
  timeoutMs: number;
  /** Cap of a JSON answer. */
  maxJsonBytes?: number;
}

const DEFAULT_MAX_JSON = 8 * 1024 * 1024;
/** Retry-After beyond this is treated as this: a tenant must not park polling for a day by mistake. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return 60_000;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(MAX_RETRY_AFTER_MS, Math.round(secs * 1000));
  const at = Date.parse(v);
  if (Number.isFinite(at)) return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
  return 60_000;
}

export function createCloudHttp(o: CloudHttpOptions): CloudHttp {
  let ca: string[] | undefined;
  if (o.caFile) {
    const file = resolve(o.baseDir, o.caFile);
    try {
      ca = [readFileSync(file, "utf8")];
    } catch (err) {
      throw new AppError("CONFIG_INVALID", `qlikCloud caFile ${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }
  // A private CA is trusted besides the system's, not instead of them (a proxy's CA next to the public ones).
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...(ca ? { ca: [...rootCertificates, ...ca] } : {}) });
  const base = o.url.replace(/\/+$/, "");
  let apiKey = o.apiKey;
  const maxJson = o.maxJsonBytes ?? DEFAULT_MAX_JSON;
  let token: { value: string; until: number } | undefined;
  let fetching: Promise<string> | undefined;

  function call(method: string, path: string, accept: string, body: string | undefined, maxBytes: number, keepEnd: boolean, bearer?: string) {
    const u = new URL(path.startsWith("https://") ? path : `${base}${path}`);
    const headers: Record<string, string | number> = { accept, "user-agent": "Steward", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    return new Promise<{ status: number; type: string; text: string; cut: boolean; retryAfter: string | string[] | undefined }>((done, fail) => {
      const req = https.request(u, { method, headers, agent, signal: AbortSignal.timeout(o.timeoutMs) }, (res) => {
        let size = 0;
        let cut = false;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          size += c.length;
          chunks.push(c);
          // A log keeps its end (errors come last); JSON beyond the cap is refused anyway.
          while (size > maxBytes && chunks.length > 1) {
            cut = true;
            size -= chunks.shift()!.length;
          }
          if (!keepEnd && size > maxBytes) {
            cut = true;
            res.destroy();
          }
        });
        const finish = () =>
          done({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
            cut,
            retryAfter: res.headers["retry-after"],
          });
        res.on("end", finish);
        res.on("close", () => (cut ? finish() : undefined));
        res.on("error", (err) => (cut ? finish() : fail(err)));
      });
      req.on("error", (err) => fail(new CloudCallError({ kind: "network", message: `${method} ${u.host}${u.pathname}: ${err.message}` })));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  function check(r: { status: number; text: string; retryAfter: string | string[] | undefined }, what: string): void {
    if (r.status >= 200 && r.status < 300) return;
    const detail = r.text ? `: ${r.text.slice(0, 200).replace(/\s+/g, " ")}` : "";
    if (r.status === 401 || r.status === 403)
      throw new CloudCallError({
        kind: "auth",
        status: r.status,
        message: `${what} answered HTTP ${r.status} (${o.oauth ? "the OAuth client's token was refused, or the client lacks the role" : "the API key is wrong, expired or revoked, or lacks the role"})`,
      });
    if (r.status === 429)
      throw new CloudCallError({ kind: "rate", retryAfterMs: parseRetryAfter(r.retryAfter, Date.now()), message: `${what} answered 429 Too Many Requests` });
    if (r.status >= 500) throw new CloudCallError({ kind: "server", status: r.status, message: `${what} answered HTTP ${r.status}${detail}` });
    throw new CloudCallError({ kind: "client", status: r.status, message: `${what} answered HTTP ${r.status}${detail}` });
  }

  /** An access token of the OAuth client: fetched once, renewed shortly before it expires. */
  async function fetchToken(): Promise<string> {
    const c = o.oauth!;
    const body = JSON.stringify({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_type: "client_credentials",
      ...(c.scope ? { scope: c.scope } : {}),
    });
    const r = await call("POST", "/oauth/token", "application/json", body, 64 * 1024, false);
    if (r.status === 400 || r.status === 401 || r.status === 403)
      throw new CloudCallError({
        kind: "auth",
        status: r.status,
        message: `POST /oauth/token answered HTTP ${r.status} (the OAuth client id or secret is wrong, or the client is not a machine-to-machine one)`,
      });
    check(r, "POST /oauth/token");
    let answer: { access_token?: unknown; expires_in?: unknown };
    try {
      answer = JSON.parse(r.text);
    } catch {
      throw new CloudCallError({ kind: "bad_answer", message: "POST /oauth/token answered something that is not JSON" });
    }
    if (typeof answer.access_token !== "string" || answer.access_token === "")
      throw new CloudCallError({ kind: "bad_answer", message: "POST /oauth/token answered without an access_token" });
    const lifeMs = typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in * 1000 : 3_600_000;
    // Renewed a little before it runs out (a tenth of its life, at most a minute), never busier than every second.
    token = { value: answer.access_token, until: Date.now() + Math.max(1_000, lifeMs - Math.min(60_000, lifeMs / 10)) };
    return token.value;
  }

  async function bearer(): Promise<string | undefined> {
    if (!o.oauth) return apiKey;
    if (token && Date.now() < token.until) return token.value;
    fetching ??= fetchToken().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  /** A call with the credentials; with OAuth a 401 (a token revoked early) gets one new token and one retry. */
  async function authorized(method: string, path: string, accept: string, body: string | undefined, maxBytes: number, keepEnd: boolean) {
    const r = await call(method, path, accept, body, maxBytes, keepEnd, await bearer());
    if (r.status !== 401 || !o.oauth) return r;
    token = undefined;
    return call(method, path, accept, body, maxBytes, keepEnd, await bearer());
  }

  return {
    async json(method, path, body) {
      const what = `${method} ${path.split("?")[0]}`;
      const r = await authorized(method, path, "application/json", body === undefined ? undefined : JSON.stringify(body), maxJson, false);
      check(r, what);
      if (r.cut) throw new CloudCallError({ kind: "bad_answer", message: `${what} answered more than ${maxJson} bytes` });
      if (!/json/i.test(r.type))
        throw new CloudCallError({ kind: "bad_answer", message: `${what} answered ${r.type || "no content type"}, not JSON (a sign-in page or a proxy?)` });
      try {
        return JSON.parse(r.text);
      } catch (err) {
        throw new CloudCallError({
          kind: "bad_answer",
          message: `${what} answered JSON that does not parse (${(err as Error).message}; ${r.text.length} characters)`,
        });
      }
    },
    async text(path, maxBytes) {
      const r = await authorized("GET", path, "text/plain", undefined, maxBytes, true);
      check(r, `GET ${path.split("?")[0]}`);
      return { text: r.text, cut: r.cut };
    },
    setApiKey: (key) => void (apiKey = key),
    close: () => agent.destroy(),
  };
}
