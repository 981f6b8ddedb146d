// The demo's SMTP server (smtp-server): accepts every mail on loopback without TLS or auth, parses it with
// postal-mime and hands it to the inbox. Demo mode only — never part of `steward run`.
import PostalMime from "postal-mime";
import { SMTPServer } from "smtp-server";
import type { CapturedMail } from "./capture-types";

export interface SmtpCapture {
  port(): number;
  stop(): Promise<void>;
}

const MAX_MAIL_BYTES = 10 * 1024 * 1024;

type MailInput = Omit<CapturedMail, "id" | "kind" | "receivedAt">;

/** Listens on host:port (0 = any free port); `onMail` runs once each mail has been accepted. */
export async function startSmtpCapture(host: string, port: number, onMail: (m: MailInput) => void): Promise<SmtpCapture> {
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: MAX_MAIL_BYTES,
    banner: "Steward demo capture inbox",
    logger: false,
    // Stopping must not wait for a pooled client connection to go away by itself.
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        PostalMime.parse(raw).then(
          (email) => {
            const addr = (a: { address?: string; name?: string } | undefined) => (a ? (a.name ? `${a.name} <${a.address ?? ""}>` : (a.address ?? "")) : "");
            onMail({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: addr(email.from),
              to: (email.to ?? []).map(addr),
              subject: email.subject ?? "",
              eventKind: email.headers.find((h) => h.key === "x-steward-event")?.value,
              deliveryId: email.headers.find((h) => h.key === "x-steward-delivery")?.value.trim(),
              text: email.text,
              html: email.html,
              attachments: email.attachments.map((a) => ({
                filename: a.filename ?? "(unnamed)",
                mimeType: a.mimeType,
                sizeBytes: typeof a.content === "string" ? a.content.length : a.content.byteLength,
              })),
              sizeBytes: raw.length,
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A client that drops its connection must not crash the demo.
  server.on("error", () => {});
  return {
    port: () => (server.server.address() as { port: number }).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
