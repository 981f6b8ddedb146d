// What the demo's capture inbox keeps: each e-mail accepted by its SMTP server and each webhook call received.

export interface CapturedMail {
  kind: "mail";
  id: number;
  receivedAt: string;
  /** SMTP envelope sender and recipients (what Steward actually addressed). */
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string[];
  subject: string;
  /** Steward's X-Steward-Event header: the event kind the mail is about. */
  eventKind?: string;
  /** Steward's X-Steward-Delivery header: one per event, channel and recipient. */
  deliveryId?: string;
  /** Set when an earlier item carried the same delivery id (the same alert received twice). */
  repeatOf?: number;
  text?: string;
  html?: string;
  attachments: Array<{ filename: string; mimeType: string; sizeBytes: number }>;
  sizeBytes: number;
}

export interface CapturedWebhook {
  kind: "webhook";
  id: number;
  receivedAt: string;
  method: string;
  path: string;
  contentType: string;
  /** The body as text (JSON bodies pretty-printed), capped. */
  body: string;
  /** A one-line summary for the terminal (task name and outcome when the body is a Steward payload). */
  summary: string;
  /** Steward's X-Steward-Delivery header. */
  deliveryId?: string;
  repeatOf?: number;
}

export type CapturedItem = CapturedMail | CapturedWebhook;
