// Builds the one pooled nodemailer transport of an email channel. The TLS mode is enforced with
// nodemailer's top-level flags (secure / requireTLS / ignoreTLS); Butler nested them under `tls`, where
// nodemailer ignores them, so its STARTTLS was never required.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import type { EmailChannelConfig } from "./schema";

export function smtpOptions(cfg: EmailChannelConfig, baseDir: string): SMTPPool.Options {
  const s = cfg.smtp;
  const port = s.port ?? (s.security === "tls" ? 465 : s.security === "starttls" ? 587 : 25);
  // Timeouts below the attempt timeout, so nodemailer gives up before the outbox does.
  const socketMs = Math.max(1000, Math.min(cfg.timeout - 500, 60_000));
  return {
    pool: true,
    maxConnections: s.maxConnections,
    host: s.host,
    port,
    secure: s.security === "tls",
    requireTLS: s.security === "starttls",
    ignoreTLS: s.security === "none",
    opportunisticTLS: s.security === "opportunistic",
    name: s.clientName,
    auth: s.auth ? { user: s.auth.user, pass: s.auth.password } : undefined,
    tls: {
      ca: s.ca ? readFileSync(resolve(baseDir, s.ca), "utf8") : undefined,
      rejectUnauthorized: s.rejectUnauthorized,
      servername: s.servername,
    },
    connectionTimeout: socketMs,
    greetingTimeout: socketMs,
    socketTimeout: socketMs,
  };
}

export async function createSmtpTransport(options: SMTPPool.Options) {
  // Loaded when the first mail is sent, not by every start (nodemailer is one of the largest modules). A
  // literal dynamic import: bundled into the binary, evaluated only here, and the same on Bun and Deno.
  const { createTransport } = await import("nodemailer");
  return createTransport(options);
}
