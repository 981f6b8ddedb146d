// The demo's capture inbox: an SMTP server and a webhook receiver on loopback that keep the last messages
// Steward sent, in memory, for the terminal, the dashboard's inbox page and tests.
import type { CapturedItem, CapturedMail, CapturedWebhook } from "./capture-types";
import { startSmtpCapture, type SmtpCapture } from "./smtp-capture";
import { startWebhookCapture, type WebhookCapture } from "./webhook-capture";

export interface CaptureInboxOptions {
  host: string;
  smtpPort: number;
  webhookPort: number;
  /** Oldest items are forgotten beyond this. */
  maxItems?: number;
}

export interface CaptureInbox {
  start(): Promise<void>;
  stop(): Promise<void>;
  smtpPort(): number;
  webhookUrl(): string;
  /** Newest first. */
  items(): CapturedItem[];
  mails(): CapturedMail[];
  get(id: number): CapturedItem | undefined;
  /** Called for each new item; returns an unsubscribe function. */
  subscribe(listener: (item: CapturedItem) => void): () => void;
}

export function createCaptureInbox(o: CaptureInboxOptions): CaptureInbox {
  const max = o.maxItems ?? 500;
  const items: CapturedItem[] = [];
  const listeners = new Set<(item: CapturedItem) => void>();
  let seq = 0;
  let smtp: SmtpCapture | undefined;
  let webhook: WebhookCapture | undefined;

  const add = (item: CapturedItem) => {
    // The same alert twice (in a cluster: two Stewards that both sent it) is marked, never hidden.
    const earlier = item.deliveryId === undefined ? undefined : items.find((i) => i.deliveryId === item.deliveryId);
    if (earlier) item.repeatOf = earlier.repeatOf ?? earlier.id;
    items.unshift(item);
    if (items.length > max) items.length = max;
    for (const l of listeners) l(item);
  };
  const stamp = () => ({ id: ++seq, receivedAt: new Date().toISOString() });

  return {
    async start() {
      smtp = await startSmtpCapture(o.host, o.smtpPort, (m) => add({ kind: "mail", ...stamp(), ...m }));
      try {
        webhook = startWebhookCapture(o.host, o.webhookPort, (w) => add({ kind: "webhook", ...stamp(), ...w } satisfies CapturedWebhook));
      } catch (err) {
        await smtp.stop();
        throw err;
      }
    },
    async stop() {
      await Promise.all([smtp?.stop(), webhook?.stop()]);
      listeners.clear();
    },
    smtpPort: () => smtp?.port() ?? 0,
    webhookUrl: () => webhook?.url() ?? "",
    items: () => [...items],
    mails: () => items.filter((i): i is CapturedMail => i.kind === "mail"),
    get: (id) => items.find((i) => i.id === id),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
