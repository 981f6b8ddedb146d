// The Healthchecks-compatible ping API: /ping/<key> (success), /start, /fail, /log and /<exit code>, GET or POST,
// with an optional body kept as the ping's log. The per-address limit is checked before anything else, an unknown
// key stores nothing, and a body is read only up to logMaxBytes (the rest is cut, not buffered).
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { HttpEnv } from "../../platform/http/types";
import { createRateLimiter, rateLimitHeaders } from "../../platform/security/rate-limiter";
import type { CheckinStore, PingKind } from "./checkin-store";

export interface PingRouteDeps {
  /** Check name by key. */
  keys: ReadonlyMap<string, string>;
  store: CheckinStore;
  clock: Clock;
  steward: string;
  logMaxBytes: number;
  keepPings: number;
  rateLimit: { requests: number; windowMs: number };
  /** Counts pings by result, for /metrics. */
  count(result: "ok" | "unknown_key" | "rate_limited"): void;
}

const KEY = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { message: "a check's key: letters, digits, '-' or '_', at most 128" });
const SIGNAL = z.union([
  z.enum(["start", "fail", "log"]),
  z
    .string()
    .regex(/^\d{1,3}$/, { message: "start, fail, log or an exit code 0-255" })
    .transform(Number)
    .refine((n) => n <= 255, { message: "an exit code is 0-255" }),
]);

const RESPONSES = {
  200: { description: "OK: the ping is recorded (text/plain `OK`, as Healthchecks answers)" },
  400: { description: "the path is not a key (or the signal not start, fail, log or 0-255)" },
  404: { description: "no check has this key; nothing is stored" },
  413: { description: "the body is larger than http.bodyLimitBytes" },
  429: { description: "this address sent more than checkins.rateLimit allows; nothing is stored" },
};

export function registerPingRoutes(router: Router, deps: PingRouteDeps): void {
  const limiter = createRateLimiter(deps.rateLimit, deps.clock);

  const ping = async (c: Context<HttpEnv>, key: string, signal: "success" | "start" | "fail" | "log" | number): Promise<Response> => {
    // The caller as the audit names it: the TCP peer, or the address a trusted proxy forwarded.
    const source = auditActorOf(c).ip ?? (c.env?.inProcess ? "in-process" : "unknown");
    const d = limiter.hit(source);
    for (const [k, v] of Object.entries(rateLimitHeaders(d))) c.header(k, v);
    if (!d.allowed) {
      deps.count("rate_limited");
      throw new AppError("RATE_LIMITED", `more than ${d.limit} pings per ${d.windowSeconds} s from ${source} (checkins.rateLimit); nothing stored`);
    }
    const name = deps.keys.get(key);
    if (name === undefined) {
      deps.count("unknown_key");
      throw new AppError("NOT_FOUND", "no check has this key (checkins.checks.<name>.key); nothing stored", {
        details: [{ field: "path.key", message: "unknown key" }],
      });
    }
    const body = await readBounded(c.req.raw, deps.logMaxBytes);
    const kind: PingKind = typeof signal === "number" ? (signal === 0 ? "success" : "fail") : signal;
    await deps.store.addPing(
      {
        id: randomUUID(),
        name,
        kind,
        ...(typeof signal === "number" ? { exitCode: signal } : {}),
        atMs: deps.clock.now(),
        source,
        steward: deps.steward,
        ...(body.text !== "" ? { body: body.text } : {}),
        bodyBytes: body.bytes,
        truncated: body.truncated,
      },
      deps.keepPings,
    );
    deps.count("ok");
    if (body.truncated) c.header("X-Steward-Log-Truncated", `kept the first ${deps.logMaxBytes} bytes`);
    return c.text("OK");
  };

  router.route(
    {
      method: ["get", "post"],
      path: "/ping/:key",
      summary: "Check-in: the job succeeded",
      description:
        "Healthchecks-compatible. A body (POST) is kept as the run's log, cut at checkins.logMaxBytes. No credentials: the key in the path is the secret. Limited per address (checkins.rateLimit).",
      tags: ["Check-ins"],
      scope: "public",
      secretParams: ["key"],
      params: z.object({ key: KEY }),
      responses: RESPONSES,
    },
    (c, { params }) => ping(c, params.key, "success"),
  );
  router.route(
    {
      method: ["get", "post"],
      path: "/ping/:key/:signal",
      summary: "Check-in: the job started, failed, logged, or ended with an exit code",
      description:
        "`start`: the job began (for checkin.running_long). `fail`: it failed. `log`: a message that changes nothing. A number 0-255: the job's exit code (0 success, anything else a failure).",
      tags: ["Check-ins"],
      scope: "public",
      secretParams: ["key"],
      params: z.object({ key: KEY, signal: SIGNAL }),
      responses: RESPONSES,
    },
    (c, { params }) => ping(c, params.key, params.signal),
  );
}

/** Reads at most `max` bytes of the body (then stops reading); how many bytes came and whether some were left out. */
async function readBounded(req: Request, max: number): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!req.body) return { text: "", bytes: 0, truncated: false };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.byteLength;
    if (kept < max) {
      const part = value.subarray(0, max - kept);
      chunks.push(part);
      kept += part.byteLength;
    }
    if (seen > max) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const all = new Uint8Array(kept);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  const declared = Number(req.headers.get("content-length"));
  return {
    // PostgreSQL's text cannot hold NUL: such a byte in a log becomes U+FFFD, like any byte that is not UTF-8.
    text: new TextDecoder("utf-8", { fatal: false }).decode(all).replaceAll("\0", "\uFFFD"),
    bytes: Number.isFinite(declared) && declared > seen ? declared : seen,
    truncated: seen > max,
  };
}
