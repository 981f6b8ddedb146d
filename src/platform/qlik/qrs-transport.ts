// HTTPS transport to the Qlik Repository Service: node:https with a keep-alive Agent and the QMC client
// certificate, a fresh xrfkey per request, X-Qlik-User, a per-attempt timeout and retries with backoff.
// node:https rather than fetch(): Bun's native TLS client fails under Wine, and connection reuse matters.
import { Agent, request as httpsRequest } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import { randomInt } from "node:crypto";
import type { Logger } from "pino";
import type { QlikConfig } from "./config";
import { type Clock, sleep as sleepOn, wallClock } from "../core/clock";
import { createIdleClosingAgent } from "./idle-agent";
import { randomOf } from "../core/clock-random";
import { AppError } from "../core/errors";
import { inFlight } from "../core/stepped-clock";
import { loadQlikCerts, type QlikCertMaterial } from "./qrs-certs";
import { encodeQueryValue } from "./qrs-filter";

export type QrsMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface QrsRequest {
  method: QrsMethod;
  /** Path below /qrs/, e.g. `task/full` or `task/<guid>/start`; segments must already be safe. */
  path: string;
  /** Raw query values; each is percent-encoded here. `xrfkey` is added automatically. */
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Per-attempt timeout; defaults to qlik.timeoutMs. */
  timeoutMs?: number;
  /** Aborts the request and any pending retry. */
  signal?: AbortSignal;
  /** Retries override; defaults to qlik.retries. */
  retries?: number;
}

export interface QrsRawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface QrsTransportDeps {
  log: Logger;
  /** Backoffs between retries wait on it; a request's own deadline is wall time (it bounds real I/O). */
  clock: Clock;
  baseDir: string;
  /** First backoff delay; doubled per retry (capped at 5 s) with jitter. Tests shorten it. */
  retryBaseMs?: number;
  /** Largest response body accepted (script logs can be large). */
  maxBodyBytes?: number;
}

/**
 * What the requests already made say of QRS's health, on the transport's clock: when QRS last answered one with 2xx,
 * and when one last failed in a way that says QRS cannot serve Steward (no answer, 5xx, the certificate refused). The
 * readiness check reads it instead of asking /qrs/about when other work has just talked to QRS.
 */
export interface QrsAnswers {
  okMs?: number;
  failedMs?: number;
}

export interface QrsTransport {
  readonly baseUrl: string;
  readonly user: string;
  request(req: QrsRequest): Promise<QrsRawResponse>;
  answers(): QrsAnswers;
  close(): void;
}

const XRF_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 16 characters of [0-9A-Za-z] from the CSPRNG, as QRS requires. */
export function newXrfKey(): string {
  let key = "";
  for (let i = 0; i < 16; i++) key += XRF_ALPHABET[randomInt(XRF_ALPHABET.length)];
  return key;
}

/** Errors raised before any byte of the request can have reached QRS: safe to retry even for POST. */
const NOT_DELIVERED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly delivered: boolean,
  ) {
    super(message);
  }
}

/**
 * The certificates as text: the agent names each request's connection pool from its TLS options, and with Buffers
 * it converted all three to strings again for every request.
 */
type PemText = Omit<QlikCertMaterial, "cert" | "key" | "ca"> & { cert: string; key: string; ca: string };
const pemText = (c: QlikCertMaterial): PemText => ({ ...c, cert: c.cert.toString("utf8"), key: c.key.toString("utf8"), ca: c.ca.toString("utf8") });

/** The client certificate and how the server's is checked, for the agent and for each request (its pool's name). */
const tlsOptions = (c: PemText, cfg: QlikConfig) => ({
  cert: c.cert,
  key: c.key,
  ca: c.ca,
  passphrase: c.passphrase,
  rejectUnauthorized: cfg.rejectUnauthorized,
});

export function createQrsTransport(cfg: QlikConfig, deps: QrsTransportDeps): QrsTransport {
  const log = deps.log.child({ module: "qrs" });
  const baseUrl = `https://${cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host}:${cfg.qrsPort}`;
  const user = `UserDirectory=${cfg.userDirectory}; UserId=${cfg.userId}`;
  const retryBaseMs = deps.retryBaseMs ?? 250;
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024 * 1024;
  let certs: PemText | undefined;
  const agents = createIdleClosingAgent(() => new Agent({ keepAlive: true, maxSockets: 16, ...tlsOptions(certs!, cfg) }));

  // Certificates are read on first use, so a missing file is reported where it matters (readiness, enrichment).
  function tls(): { certs: PemText; agent: Agent } {
    certs ??= pemText(loadQlikCerts(cfg, deps.baseDir));
    return { certs, agent: agents.get() };
  }

  function once(req: QrsRequest, timeoutMs: number): Promise<QrsRawResponse> {
    const { certs: c, agent: a } = tls();
    const xrfkey = newXrfKey();
    const params = Object.entries(req.query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
    params.push(["xrfkey", xrfkey]);
    const search = params.map(([k, v]) => `${encodeQueryValue(k)}=${encodeQueryValue(String(v))}`).join("&");
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = {
      "X-Qlik-Xrfkey": xrfkey,
      "X-Qlik-User": user,
      "Content-Type": "application/json",
      Accept: "application/json, text/plain, */*",
    };
    if (payload) headers["Content-Length"] = String(payload.length);
    else if (req.method !== "GET" && req.method !== "DELETE") headers["Content-Length"] = "0";

    // In flight on a stepped clock: simulated time must not pass while the answer is on its way.
    const answer = new Promise<QrsRawResponse>((resolvePromise, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        wallClock.clearTimeout(timer);
        req.signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const r = httpsRequest({
        method: req.method,
        host: cfg.host,
        port: cfg.qrsPort,
        path: `/qrs/${req.path}?${search}`,
        headers,
        agent: a,
        ...tlsOptions(c, cfg),
      });
      let sent = false;
      const timer = wallClock.setTimeout(() => {
        r.destroy();
        finish(() => reject(new NetworkError(`no answer within ${timeoutMs} ms`, "ETIMEDOUT", sent)));
      }, timeoutMs);
      const onAbort = () => {
        r.destroy();
        finish(() => reject(new AppError("TIMEOUT", `QRS ${req.method} ${req.path} was cancelled`, { cause: req.signal?.reason })));
      };
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener("abort", onAbort, { once: true });
      r.on("error", (err: NodeJS.ErrnoException) => {
        const code = err.code ?? "EUNKNOWN";
        finish(() => reject(new NetworkError(err.message, code, sent && !NOT_DELIVERED.has(code))));
      });
      r.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) {
            r.destroy();
            finish(() => reject(new AppError("QRS_UNAVAILABLE", `QRS answer to ${req.path} is larger than ${maxBodyBytes} bytes`)));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => finish(() => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
        res.on("error", (err: NodeJS.ErrnoException) => finish(() => reject(new NetworkError(err.message, err.code ?? "EUNKNOWN", true))));
      });
      r.on("finish", () => (sent = true));
      r.end(payload);
    });
    return inFlight(deps.clock, agents.track(answer), `QRS ${req.method} ${req.path}`);
  }

  const answers: QrsAnswers = {};

  return {
    baseUrl,
    user,
    answers: () => ({ ...answers }),
    async request(req) {
      const retries = req.retries ?? cfg.retries;
      const timeoutMs = req.timeoutMs ?? cfg.timeoutMs;
      const idempotent = req.method === "GET" || req.method === "PUT" || req.method === "DELETE";
      for (let attempt = 0; ; attempt++) {
        const started = Date.now();
        let retryable = false;
        let failure: AppError | undefined;
        try {
          const res = await once(req, timeoutMs);
          log.debug({ method: req.method, path: req.path, status: res.status, ms: Date.now() - started, attempt }, "qrs call");
          noteOutcome(answers, res.status, deps.clock.now());
          if (res.status >= 200 && res.status < 300) return res;
          failure = statusFailure(user, req, res, attempt + 1);
          // A 503 means "not processed"; other 5xx may have done something, so only idempotent calls repeat.
          retryable = res.status === 503 || (res.status >= 500 && idempotent);
        } catch (err) {
          if (!(err instanceof NetworkError)) throw err;
          noteOutcome(answers, 0, deps.clock.now());
          log.debug({ method: req.method, path: req.path, code: err.code, ms: Date.now() - started, attempt }, "qrs call failed");
          failure = networkFailure(cfg, baseUrl, req, err, attempt + 1);
          retryable = idempotent || !err.delivered;
        }
        if (!retryable || attempt >= retries || req.signal?.aborted) throw failure;
        const delay = Math.min(5_000, retryBaseMs * 2 ** attempt) * (0.75 + randomOf(deps.clock)() * 0.5);
        log.debug({ path: req.path, attempt: attempt + 1, delayMs: Math.round(delay), reason: failure.message }, "retrying qrs call");
        await sleepOn(deps.clock, delay, req.signal);
        if (req.signal?.aborted) throw failure;
      }
    },
    close() {
      agents.close();
      certs = undefined;
    },
  };
}

/** What a call's outcome says of QRS (status 0: no answer): it serves Steward, or it cannot (5xx, 401/403). */
function noteOutcome(answers: QrsAnswers, status: number, nowMs: number): void {
  if (status >= 200 && status < 300) answers.okMs = nowMs;
  else if (status === 0 || status >= 500 || status === 401 || status === 403) answers.failedMs = nowMs;
}

/** The 503 for a call that never got an answer, with what to check (TLS material, the service, the port). */
function networkFailure(cfg: QlikConfig, baseUrl: string, req: QrsRequest, err: NetworkError, attempts: number): AppError {
  const tlsHint = /certificate|self.signed|handshake|SSL|TLS|alert/i.test(err.message)
    ? " The TLS handshake failed: check that qlik.certDir holds the QMC export (client.pem, client_key.pem, root.pem) " +
      "for this site and that qlik.host matches the server certificate (or, knowingly, set qlik.rejectUnauthorized: false)."
    : ` Is the Qlik Sense Repository Service running and port ${cfg.qrsPort} reachable from this host?`;
  return new AppError(
    "QRS_UNAVAILABLE",
    `QRS ${req.method} ${req.path} at ${baseUrl} failed after ${attempts} attempt(s): ${err.message} (${err.code}).${tlsHint}`,
    { cause: err, details: { path: req.path, code: err.code, attempts } },
  );
}

/** The error for a QRS answer that is not 2xx, in the words a Qlik administrator can act on. */
function statusFailure(user: string, req: QrsRequest, res: QrsRawResponse, attempts: number): AppError {
  const text = res.body.toString("utf8").slice(0, 300).trim();
  const details = { path: req.path, status: res.status, attempts, body: text || undefined };
  const what = `QRS ${req.method} ${req.path} answered ${res.status}${text ? `: ${text}` : ""}`;
  if (res.status === 404) return new AppError("NOT_FOUND", `${what} (no such entity on the Qlik site)`, { details });
  if (res.status === 400) return new AppError("BAD_REQUEST", `${what}`, { details });
  if (res.status === 409) return new AppError("CONFLICT", `${what}`, { details });
  if (res.status === 401 || res.status === 403) {
    return new AppError(
      "QRS_UNAVAILABLE",
      `${what}. QRS refused Steward: check that the client certificate is this site's QMC export and that the ` +
        `X-Qlik-User "${user}" (qlik.userDirectory / qlik.userId) exists`,
      { details },
    );
  }
  return new AppError("QRS_UNAVAILABLE", `${what}${res.status >= 500 ? " after retries" : ""}`, { details });
}
