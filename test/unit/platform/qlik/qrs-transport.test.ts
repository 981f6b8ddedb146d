// QRS transport against a real mTLS HTTPS server with scripted answers: xrfkey, X-Qlik-User, filter encoding,
// client-certificate TLS, retries/backoff on 5xx and network errors, timeouts, error codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateCertSet, type CertSet } from "../../../../src/sim/certs/generate";
import { createQrsClient, eq, eqString, and, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { AppError } from "../../../../src/platform/core/errors";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { QRS_IDLE_CLOSE_MS } from "../../../../src/platform/qlik/idle-agent";
import { cachedCertSet } from "../../../helpers/sim-certs";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  authorized: boolean;
}

let tmp: TempDir;
let certs: CertSet;
let server: Server;
let port: number;
const seen: Seen[] = [];
let tlsConnections = 0;
let tlsClosed = 0;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end("[]");

function writeCerts(dir: string, set: CertSet) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "root.pem"), set.ca);
  writeFileSync(join(dir, "client.pem"), set.clientCert);
  writeFileSync(join(dir, "client_key.pem"), set.clientKey);
}

function client(over: Record<string, unknown> = {}): QrsClient {
  const cfg = QlikSchema.parse({ host: "localhost", qrsPort: port, certDir: "certs", timeoutMs: 1000, retries: 2, ...over });
  return createQrsClient(cfg, { log: createSilentLogger(), clock: systemClock, baseDir: tmp.path, retryBaseMs: 10 });
}

async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code as AppError["code"]);
    return err as AppError;
  }
  throw new Error(`expected AppError ${code}`);
}

beforeAll(async () => {
  tmp = createTempDir();
  certs = cachedCertSet();
  writeCerts(join(tmp.path, "certs"), certs);
  port = await freeTcpPort();
  server = createServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      authorized: (req.socket as unknown as { authorized: boolean }).authorized,
    });
    req.resume();
    req.on("end", () => handler(req, res));
  });
  server.on("secureConnection", (socket) => {
    tlsConnections++;
    socket.on("close", () => tlsClosed++);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
});

afterAll(async () => {
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
  tmp.remove();
});

describe("QRS transport", () => {
  test("sends a fresh matching xrfkey, X-Qlik-User and a percent-encoded filter over mTLS", async () => {
    seen.length = 0;
    handler = (_q, r) =>
      r.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ id: "7552d9fc-d1bb-4975-9a38-18357de531ea", name: "T", extra: 1 }]));
    const qrs = client({ userDirectory: "CORP", userId: "svc steward" });
    const filter = and(eq("id", "7552d9fc-d1bb-4975-9a38-18357de531ea"), eqString("tags.name", "O'Brien & Co #1 50%"));
    const rows = await qrs.listTasks(filter);
    await qrs.listTasks();
    qrs.close();
    expect(rows[0]?.name).toBe("T");
    expect((rows[0] as Record<string, unknown>).extra).toBe(1);
    expect(seen).toHaveLength(2);
    const [a, b] = seen as [Seen, Seen];
    expect(a.authorized).toBe(true);
    const url = new URL(a.url, "https://x");
    expect(url.pathname).toBe("/qrs/task");
    // Nothing unsafe left raw in the request line.
    const rawQuery = a.url.split("?")[1]!;
    expect(rawQuery).not.toMatch(/[ '#()]/);
    expect(rawQuery.split("&")).toHaveLength(2); // filter=…&xrfkey=… — the value's own & is encoded
    expect(url.searchParams.get("filter")).toBe("(id eq 7552d9fc-d1bb-4975-9a38-18357de531ea) and (tags.name eq 'O''Brien & Co #1 50%')");
    const key = url.searchParams.get("xrfkey")!;
    expect(key).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(a.headers["x-qlik-xrfkey"]).toBe(key);
    expect(new URL(b.url, "https://x").searchParams.get("xrfkey")).not.toBe(key);
    expect(a.headers["x-qlik-user"]).toBe("UserDirectory=CORP; UserId=svc steward");
    expect(a.headers["content-type"]).toBe("application/json");
  });

  test("sequential calls reuse one TLS connection (keep-alive agent)", async () => {
    handler = (_q, r) => r.writeHead(200).end("{}");
    server.closeAllConnections?.();
    const qrs = client();
    const before = tlsConnections;
    for (let i = 0; i < 10; i++) await qrs.about();
    expect(tlsConnections - before).toBe(1);
    qrs.close();
  });

  test("a connection idle for QRS_IDLE_CLOSE_MS is closed by Steward (an open one woke it every second); the next call opens another", async () => {
    handler = (_q, r) => r.writeHead(200).end("{}");
    server.closeAllConnections?.();
    await waitFor(() => tlsClosed === tlsConnections, { what: "the earlier tests' connections to close" });
    const qrs = client();
    const before = tlsConnections;
    for (let i = 0; i < 3; i++) await qrs.about();
    expect(tlsConnections - before).toBe(1);
    await waitFor(() => tlsClosed === tlsConnections, { what: "Steward to close its idle connection", timeoutMs: QRS_IDLE_CLOSE_MS + 20_000 });
    await qrs.about();
    expect(tlsConnections - before).toBe(2);
    qrs.close();
  }, 60_000);

  test("retries 5xx with backoff until success; gives up after the configured retries", async () => {
    seen.length = 0;
    let n = 0;
    handler = (_q, r) => (++n <= 2 ? r.writeHead(500).end("boom") : r.writeHead(200).end("{}"));
    const qrs = client();
    expect(await qrs.about()).toEqual({});
    expect(seen).toHaveLength(3);

    seen.length = 0;
    handler = (_q, r) => r.writeHead(502).end("bad gateway");
    const err = await expectAppError(qrs.about(), "QRS_UNAVAILABLE");
    expect(seen).toHaveLength(3);
    expect(err.message).toContain("502");
    qrs.close();
  });

  test("POST start: 204 ok; 500 is not repeated (it may have started the task); 503 is", async () => {
    const id = "7552d9fc-d1bb-4975-9a38-18357de531ea";
    const qrs = client();
    seen.length = 0;
    handler = (_q, r) => r.writeHead(204).end();
    await qrs.startTask(id);
    expect(seen[0]?.method).toBe("POST");
    expect(new URL(seen[0]!.url, "https://x").pathname).toBe(`/qrs/task/${id}/start`);

    seen.length = 0;
    handler = (_q, r) => r.writeHead(500).end();
    await expectAppError(qrs.startTask(id), "QRS_UNAVAILABLE");
    expect(seen).toHaveLength(1);

    seen.length = 0;
    handler = (_q, r) => r.writeHead(503).end();
    await expectAppError(qrs.startTask(id), "QRS_UNAVAILABLE");
    expect(seen).toHaveLength(3);
    qrs.close();
  });

  test("404 is NOT_FOUND at once; an empty filter result for an id is NOT_FOUND too", async () => {
    const qrs = client();
    seen.length = 0;
    handler = (_q, r) => r.writeHead(404).end("Not found");
    await expectAppError(qrs.getApp("0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"), "NOT_FOUND");
    expect(seen).toHaveLength(1);
    handler = (_q, r) => r.writeHead(200).end("[]");
    const e = await expectAppError(qrs.getTaskFull("0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"), "NOT_FOUND");
    expect(e.message).toContain("0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11");
    await expectAppError(qrs.getTaskFull("not-a-guid"), "BAD_REQUEST");
    qrs.close();
  });

  test("403 explains certificate / X-Qlik-User; bad JSON shape is QRS_UNAVAILABLE naming the field", async () => {
    const qrs = client();
    handler = (_q, r) => r.writeHead(403).end("XSRF prevention check failed. Possible XSRF discovered.");
    const e = await expectAppError(qrs.about(), "QRS_UNAVAILABLE");
    expect(e.message).toContain("X-Qlik-User");
    handler = (_q, r) => r.writeHead(200).end(JSON.stringify([{ id: 5 }]));
    const e2 = await expectAppError(qrs.listTags(), "QRS_UNAVAILABLE");
    expect(e2.message).toContain("0.id");
    qrs.close();
  });

  test("a silent server times out per attempt and is retried", async () => {
    seen.length = 0;
    handler = () => undefined; // never answers
    // A second per attempt: the retry's TLS handshake must reach the server within it on a busy machine too.
    const qrs = client({ timeoutMs: 1_000, retries: 1 });
    const e = await expectAppError(qrs.about(), "QRS_UNAVAILABLE");
    expect(e.message).toContain("no answer within 1000 ms");
    expect(seen).toHaveLength(2);
    qrs.close();
    server.closeAllConnections?.();
  });

  test("caller abort stops at once with TIMEOUT", async () => {
    handler = () => undefined;
    const qrs = client({ timeoutMs: 5000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expectAppError(qrs.about({ signal: ac.signal }), "TIMEOUT");
    qrs.close();
    server.closeAllConnections?.();
  });

  test("connection refused is QRS_UNAVAILABLE after retries and asks whether the service runs", async () => {
    const closedPort = await freeTcpPort();
    const qrs = client({ qrsPort: closedPort, retries: 1 });
    const e = await expectAppError(qrs.about(), "QRS_UNAVAILABLE");
    expect(e.message).toContain("2 attempt(s)");
    expect(e.message).toContain(`port ${closedPort}`);
    qrs.close();
  });

  test("a server certificate from another CA is refused unless rejectUnauthorized is false", async () => {
    handler = (_q, r) => r.writeHead(200).end("{}");
    const other = generateCertSet({ hostNames: ["localhost"] });
    const dir = join(tmp.path, "other-ca");
    writeCerts(dir, { ...certs, ca: other.ca });
    const strict = client({ certDir: "other-ca", retries: 0 });
    const e = await expectAppError(strict.about(), "QRS_UNAVAILABLE");
    expect(e.message).toContain("TLS handshake failed");
    strict.close();
    const lax = client({ certDir: "other-ca", rejectUnauthorized: false });
    expect(await lax.about()).toEqual({});
    lax.close();
  });

  test("missing certificate files are CONFIG_INVALID naming the file", async () => {
    const qrs = client({ certDir: "nowhere" });
    const e = await expectAppError(qrs.about(), "CONFIG_INVALID");
    expect(e.message).toContain(join(tmp.path, "nowhere", "client.pem"));
  });
});
