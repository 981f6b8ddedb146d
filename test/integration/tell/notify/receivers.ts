// Real counterparts for the notification tests: an HTTP receiver (Bun.serve) that records every request and
// answers with a chosen status, and an SMTP server (smtp-server) that parses every accepted mail with
// postal-mime. Both listen on free loopback ports.
import PostalMime, { type Email } from "postal-mime";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";

export interface CapturedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** When it came (Date.now()). */
  at: number;
}

export interface HttpReceiver {
  url: string;
  requests: CapturedRequest[];
  /** Status for the next requests (default 200). */
  respondWith(status: number): void;
  stop(): Promise<void>;
}

export function startHttpReceiver(initialStatus = 200): HttpReceiver {
  let status = initialStatus;
  const requests: CapturedRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      // A gzip-encoded body (the InfluxDB client's writes) is recorded as the text it carries, as a server reads it.
      const raw = new Uint8Array(await req.arrayBuffer());
      const body = new TextDecoder().decode(req.headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(raw) : raw);
      requests.push({ method: req.method, path: u.pathname, query: u.searchParams, headers: req.headers, body, at: Date.now() });
      // 204 and 304 carry no body (the InfluxDB v2 client insists on 204).
      return new Response(status === 204 || status === 304 ? null : status < 300 ? "ok" : "receiver says no", { status });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    respondWith: (s) => void (status = s),
    stop: () => server.stop(true),
  };
}

export interface CapturedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  mail: Email;
  secure: boolean;
}

export interface SmtpReceiver {
  port: number;
  /** Mails whose final "250 OK" was sent while the client was still connected. */
  mails: CapturedMail[];
  /** Sessions seen (including ones that never sent a mail). */
  sessions: number;
  /** Ids of sessions whose connection has closed. */
  closedSessions: ReadonlySet<string>;
  stop(): Promise<void>;
}

export interface SmtpReceiverOptions {
  port?: number;
  /** TLS material: with `secure` it is implicit TLS, else it enables STARTTLS. */
  tls?: { key: string; cert: string };
  secure?: boolean;
  /** Do not offer STARTTLS. */
  hideStartTls?: boolean;
  /** Runs before a mail is acknowledged; may delay the acknowledgement. */
  beforeAccept?: (raw: string, session: SMTPServerSession) => Promise<void>;
  auth?: { user: string; pass: string };
}

export async function startSmtpReceiver(o: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const mails: CapturedMail[] = [];
  const closed = new Set<string>();
  let sessions = 0;
  const options: SMTPServerOptions = {
    secure: o.secure === true,
    key: o.tls?.key,
    cert: o.tls?.cert,
    hideSTARTTLS: o.hideStartTls === true || !o.tls,
    authOptional: !o.auth,
    disabledCommands: [...(o.auth ? [] : ["AUTH"]), ...(o.hideStartTls || !o.tls ? ["STARTTLS"] : [])],
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 500,
    onConnect(_session, cb) {
      sessions++;
      cb();
    },
    onAuth(auth, _session, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) cb(null, { user: auth.username });
      else cb(new Error("invalid credentials"));
    },
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        try {
          await o.beforeAccept?.(raw, session);
          // A client that went away before the acknowledgement did not get its mail delivered.
          if (closed.has(session.id)) return cb(new Error("client gone"));
          mails.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            mail: await PostalMime.parse(raw),
            secure: session.secure,
          });
          cb();
        } catch (err) {
          cb(err as Error);
        }
      });
    },
  };
  const server = new SMTPServer(options);
  server.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  const addr = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return {
    port: addr.port,
    mails,
    get sessions() {
      return sessions;
    },
    closedSessions: closed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
