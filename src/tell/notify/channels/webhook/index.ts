// Webhook channel: the Butler payload fields plus the full event, as a JSON body (POST/PUT) or query string
// (GET), with custom headers, an idempotency header and an optional HMAC-SHA256 signature.
import { createHmac } from "node:crypto";
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { causeFields, causeOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, previewUrl } from "../../../../platform/http/http-client";
import { WebhookChannelSchema, type WebhookChannelConfig } from "./schema";

/** HMAC-SHA256 over `<timestamp>.<body>`, hex, as sent in the signature header ("sha256=<hex>"). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Butler's GET webhooks carry the flat fields as query parameters; nested values are left out. */
export function toQueryString(payload: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(payload)) {
    if (v === null || v === undefined || typeof v === "object") continue;
    q.set(k, String(v));
  }
  return q.toString();
}

interface WebhookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export function buildWebhookRequest(cfg: WebhookChannelConfig, n: Notification, deps: ChannelDeps): WebhookRequest {
  const payload = deps.templates.renderJson(`webhook/${messageKind(n)}.json`, templateData(n)) as Record<string, unknown>;
  // The parent's shape: flat fields (a GET's query string keeps only those) and the whole summary as `cause`.
  const cause = causeOf(n);
  if (cause) Object.assign(payload, causeFields(cause), { cause });
  const timestamp = String(Math.floor(deps.clock.now() / 1000));
  const headers: Record<string, string> = {
    "User-Agent": "Steward",
    "X-Steward-Delivery": n.key,
    "X-Steward-Event": n.digest ? "digest" : n.kind,
    "X-Steward-Timestamp": timestamp,
    ...cfg.headers,
  };
  let url = n.test?.target ?? cfg.url;
  let body: string | undefined;
  let signed: string;
  if (cfg.method === "GET") {
    signed = toQueryString(payload);
    const u = new URL(url);
    u.search = u.search ? `${u.search.slice(1)}&${signed}` : signed;
    url = u.toString();
  } else {
    body = JSON.stringify(payload);
    signed = body;
    headers["Content-Type"] = "application/json; charset=utf-8";
  }
  if (cfg.hmac) headers[cfg.hmac.header] = signWebhook(cfg.hmac.secret, timestamp, signed);
  return { url, method: cfg.method, headers, body };
}

export const webhookChannel: ChannelDefinition<"webhook"> = {
  type: "webhook",
  schema: WebhookChannelSchema,
  addressable: false,
  supportsDigest: true,
  templateParts: ["json"],
  preview(cfg, n, deps) {
    const req = buildWebhookRequest(cfg, n, deps);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, /authorization|signature|token|key/i.test(k) ? "[REDACTED]" : v]));
    return { url: previewUrl(req.url), method: req.method, headers, body: req.body ? JSON.parse(req.body) : undefined };
  },
  create(cfg, deps) {
    const client = createHttpClient({ ca: cfg.ca, rejectUnauthorized: cfg.rejectUnauthorized, baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const req = buildWebhookRequest(cfg, n, deps);
        const res = await client.request(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
        expectOk(res, `webhook ${deps.name}`);
      },
      async close() {
        client.close();
      },
    };
  },
};
