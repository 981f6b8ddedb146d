// A small HTTP(S) client on node:http/https for the webhook-style channels: keep-alive agents reused per
// channel, a private CA, an AbortSignal, and the response body read in full (bounded). node:https rather
// than fetch because Bun's native TLS client fails under Wine, and custom CAs need an agent anyway.
import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { deliveryError } from "./delivery-error";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpClient {
  request(url: string, req: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

const MAX_BODY = 256 * 1024;

export function createHttpClient(opts: { ca?: string; rejectUnauthorized?: boolean; baseDir?: string; maxBodyBytes?: number } = {}): HttpClient {
  const maxBody = opts.maxBodyBytes ?? MAX_BODY;
  const ca = opts.ca ? readFileSync(resolve(opts.baseDir ?? ".", opts.ca), "utf8") : undefined;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ca, rejectUnauthorized: opts.rejectUnauthorized ?? true });
  return {
    request(url, req) {
      const u = new URL(url);
      const isHttps = u.protocol === "https:";
      if (!isHttps && u.protocol !== "http:") return Promise.reject(deliveryError(`unsupported URL scheme ${u.protocol}`, { permanent: true }));
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers["Content-Length"] = Buffer.byteLength(req.body);
      return new Promise<HttpResponse>((done, fail) => {
        const r = (isHttps ? https : http).request(u, { method: req.method, headers, agent: isHttps ? httpsAgent : httpAgent, signal: req.signal }, (res) => {
          let size = 0;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size <= maxBody) chunks.push(c);
          });
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", fail);
        });
        r.on("error", (err) => fail(deliveryError(`${req.method} ${u.protocol}//${u.host}: ${err.message}`, { cause: err })));
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Throws a CHANNEL_SEND error for a non-2xx answer; 4xx other than 408/425/429 are permanent. */
export function expectOk(res: HttpResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const permanent = !(res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500);
  throw deliveryError(`${what} answered HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 300)}` : ""}`, { permanent, status: res.status });
}

/**
 * A webhook URL as a preview shows it: scheme, host and path, so two webhooks on one host can be told apart.
 * The query (often a token) becomes "?…" and path segments that look like keys (long, letters and digits mixed)
 * keep only their first 4 characters.
 */
export function previewUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname
      .split("/")
      .map((seg) => (seg.length >= 20 && /[0-9]/.test(seg) && /[A-Za-z]/.test(seg) ? `${seg.slice(0, 4)}…` : seg))
      .join("/");
    return `${u.protocol}//${u.host}${path === "/" ? "" : path}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Scheme and host only, for Slack and Teams, whose whole webhook path is the secret. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid URL)";
  }
}
