// A tenant page whose next link leaves the tenant's origin (http on the same host and port, another port, another
// host) is refused before any request: the API key is never sent in clear text or to anyone but the tenant. The
// hostile tenant answers TLS and plain HTTP on one port, so a followed http:// link would be seen arriving.
import { afterAll, beforeAll, expect, test } from "bun:test";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CloudApiError, createCloudClient } from "../../../../src/hear/cloud/cloud-client";
import { createTempDir } from "../../../helpers/temp-dir";
import { cachedCertSet } from "../../../helpers/sim-certs";

const dir = createTempDir();
const KEY = "cloud-key-that-must-stay-secret";
let port = 0;
let nextHref = "";
const seen: Array<{ tls: boolean; path: string; auth?: string }> = [];
let front: net.Server;
const servers: net.Server[] = [];

function answer(tls: boolean) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ tls, path: req.url ?? "", ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: [], links: { next: { href: nextHref.replace("PORT", String(port)) } } }));
  };
}

beforeAll(async () => {
  const certs = cachedCertSet();
  writeFileSync(join(dir.path, "ca.pem"), certs.ca);
  const secure = https.createServer({ cert: certs.serverCert, key: certs.serverKey }, answer(true));
  await new Promise<void>((done) => secure.listen(0, "127.0.0.1", done));
  const inner = (secure.address() as net.AddressInfo).port;
  const plain = http.createServer(answer(false));
  // One port, both protocols: a TLS handshake (first byte 0x16) is passed on to the HTTPS server, anything else is
  // read as plain HTTP, so a request that a followed http:// link sends in clear is seen with its headers.
  front = net.createServer((sock) => {
    sock.once("data", (first) => {
      if (first[0] === 0x16) {
        const up = net.connect(inner, "127.0.0.1", () => {
          up.write(first);
          sock.pipe(up).pipe(sock);
        });
        up.on("error", () => sock.destroy());
        sock.on("error", () => up.destroy());
        return;
      }
      plain.emit("connection", sock);
      sock.unshift(first);
    });
  });
  servers.push(secure, plain);
  await new Promise<void>((done) => front.listen(0, "127.0.0.1", done));
  port = (front.address() as net.AddressInfo).port;
});
afterAll(() => {
  front?.close();
  for (const s of servers) s.close();
  dir.remove();
});

const client = () => createCloudClient({ url: `https://localhost:${port}`, apiKey: KEY, caFile: join(dir.path, "ca.pem"), baseDir: dir.path });

for (const [what, href] of [
  ["http on the tenant's own host and port", "http://localhost:PORT/api/v1/reloads?next=abc"],
  ["another port", "https://localhost:1/api/v1/reloads?next=abc"],
  ["another host", "https://127.0.0.1:PORT/api/v1/reloads?next=abc"],
  ["a relative link with a scheme change", "//localhost:PORT/x"],
] as const)
  test(`a next link to ${what} is refused and no request carries the key there`, async () => {
    nextHref = href;
    seen.length = 0;
    const c = client();
    try {
      for (const list of [(u?: string) => c.listReloads(u).then((p) => p.next), (u?: string) => c.listTasks(u).then((p) => p.next)]) {
        const next = await list();
        expect(next).toBe(href.replace("PORT", String(port)));
        const followed = await list(next).then(
          () => undefined,
          (err: unknown) => err,
        );
        if (what === "a relative link with a scheme change") {
          // Resolved against the tenant it stays https on the tenant: followed, over TLS.
          expect(followed).toBeUndefined();
        } else {
          expect(followed).toBeInstanceOf(CloudApiError);
          expect((followed as CloudApiError).kind).toBe("bad-answer");
          expect((followed as Error).message).toContain("not followed");
        }
      }
      expect(seen.filter((s) => !s.tls)).toEqual([]);
      expect(seen.every((s) => s.auth === `Bearer ${KEY}`)).toBe(true);
    } finally {
      c.close();
    }
  });
