// The demo's webhook receiver: an HTTP listener on loopback that records every request it gets and
// answers 200, standing in for Slack, Teams or a ticketing system. Demo mode only.
import type { CapturedWebhook } from "./capture-types";
import { runtime } from "../../platform/runtime";

export interface WebhookCapture {
  url(): string;
  stop(): Promise<void>;
}

const MAX_BODY_CHARS = 256 * 1024;

type WebhookInput = Omit<CapturedWebhook, "id" | "kind" | "receivedAt">;

/** One line for the terminal: the task and outcome when the body looks like a Steward/Butler payload. */
export function summarizeWebhook(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const b = body as Record<string, unknown>;
  const ev = (typeof b.event === "object" && b.event !== null ? b.event : b) as Record<string, unknown>;
  const task = ev.task as { name?: unknown } | undefined;
  const name = typeof task?.name === "string" ? task.name : typeof b.taskName === "string" ? b.taskName : undefined;
  const kind = typeof ev.kind === "string" ? ev.kind : typeof b.eventKind === "string" ? b.eventKind : undefined;
  return [kind, name].filter(Boolean).join(" ");
}

export function startWebhookCapture(host: string, port: number, onRequest: (w: WebhookInput) => void): WebhookCapture {
  const server = runtime.serve({
    hostname: host,
    port,
    async fetch(req) {
      const url = new URL(req.url);
      const contentType = req.headers.get("content-type") ?? "";
      let body = (await req.text()).slice(0, MAX_BODY_CHARS);
      let summary = "";
      if (contentType.includes("json")) {
        try {
          const parsed: unknown = JSON.parse(body);
          body = JSON.stringify(parsed, null, 2);
          summary = summarizeWebhook(parsed);
        } catch {
          // not JSON after all: keep the text
        }
      }
      const deliveryId = req.headers.get("x-steward-delivery") ?? undefined;
      onRequest({ method: req.method, path: url.pathname + url.search, contentType, body, summary, ...(deliveryId ? { deliveryId } : {}) });
      return Response.json({ ok: true });
    },
  });
  return {
    url: () => `http://${host}:${server.port}`,
    stop: () => server.stop(false),
  };
}
