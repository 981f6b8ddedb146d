// Webhook channel: the Butler payload fields plus the full event, as a JSON body (POST/PUT) or query string
// (GET), with custom headers, an idempotency header and an optional HMAC-SHA256 signature. A template that fails
// sends the plain form's fields instead (src/tell/notify/fallback).
import { createHmac } from "node:crypto";
import type { ChannelDefinition, ChannelDeps, Notification } from "../../types";
import { causeFields, causeOf } from "../../cause-render";
import { messageKind, templateData } from "../../notification";
import { createHttpClient, expectOk, previewUrl } from "../../../../platform/http/http-client";
import { formatWithFallback, type Formatted } from "../../fallback/format";
import { webhookProblem } from "../../fallback/limits";
import { plainAlert, plainText } from "../../fallback/plain";
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

/** Butler's names a plain form keeps (from the variables, built in code), so a receiver still finds the task. */
const PLAIN_FIELDS = ["event", "hostName", "taskName", "taskId", "appName", "appId", "executionId", "logMessage"] as const;

/** The plain form (src/tell/notify/fallback): the essentials as flat fields, the whole of it as text, and the note. */
function plainPayload(n: Notification, note: string): Record<string, unknown> {
  const a = plainAlert(n, note);
  const vars = n.vars as Record<string, unknown>;
  const butler = Object.fromEntries(
    PLAIN_FIELDS.map((k) => [k, k === "event" ? vars.butlerEvent : vars[k]]).filter(([, v]) => typeof v === "string" && v !== ""),
  );
  return { ...butler, kind: messageKind(n), title: a.headline, text: plainText(a, PLAIN_CHARS), scriptLogErrorLines: a.lines, templateFailed: note };
}

const PLAIN_CHARS = 20_000;

/** The body's fields: the template's (with the cause's), or the plain form when the template fails. */
function webhookPayload(n: Notification, deps: ChannelDeps): Formatted<Record<string, unknown>> {
  const template = `webhook/${messageKind(n)}.json`;
  return formatWithFallback({
    templates: deps.templates,
    template,
    strict: deps.strictTemplates,
    rich: () => {
      const payload = deps.templates.renderJson(template, templateData(n)) as Record<string, unknown>;
      // The parent's shape: flat fields (a GET's query string keeps only those) and the whole summary as `cause`.
      const cause = causeOf(n);
      if (cause) Object.assign(payload, causeFields(cause), { cause });
      return payload;
    },
    tooBig: (p) => {
      const reason = webhookProblem(JSON.stringify(p));
      return reason ? { template, reason } : undefined;
    },
    plain: (note) => plainPayload(n, note),
  });
}

export function buildWebhookRequest(cfg: WebhookChannelConfig, n: Notification, deps: ChannelDeps): Formatted<WebhookRequest> {
  const { value: payload, fallback } = webhookPayload(n, deps);
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
  return { value: { url, method: cfg.method, headers, body }, fallback };
}

export const webhookChannel: ChannelDefinition<"webhook"> = {
  type: "webhook",
  schema: WebhookChannelSchema,
  addressable: false,
  supportsDigest: true,
  templateParts: ["json"],
  preview(cfg, n, deps) {
    const req = buildWebhookRequest(cfg, n, deps).value;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, /authorization|signature|token|key/i.test(k) ? "[REDACTED]" : v]));
    return { url: previewUrl(req.url), method: req.method, headers, body: req.body ? JSON.parse(req.body) : undefined };
  },
  create(cfg, deps) {
    const client = createHttpClient({ ca: cfg.ca, rejectUnauthorized: cfg.rejectUnauthorized, baseDir: deps.baseDir });
    return {
      async send(n, signal) {
        const { value: req, fallback } = buildWebhookRequest(cfg, n, deps);
        const res = await client.request(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
        expectOk(res, `webhook ${deps.name}`);
        return { fallback };
      },
      async close() {
        client.close();
      },
    };
  },
};
