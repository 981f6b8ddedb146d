// The HTTPS API from source under each runtime: plain TLS with an encrypted key (the runtime's own server;
// Deno.serve takes only an unencrypted key, so Steward decrypts it in memory) and mutual TLS (node:tls, with the
// client certificate's rule deciding the scopes; an unknown CA refused).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { DENO_RUN_FLAGS } from "../../../src/platform/runtime/deno/permissions";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../helpers/free-port";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { createPki, type Pki } from "../platform/security/certs";

const HOST = "127.0.0.1";
const REPO = resolve(import.meta.dir, "../../..");
const MAIN = join(REPO, "src/main.ts");
const RUNTIMES = [
  { name: "bun", command: [join(REPO, "node_modules/.bin/bun"), MAIN] },
  { name: "deno", command: [join(REPO, "node_modules/.bin/deno"), "run", "--no-prompt", ...DENO_RUN_FLAGS, MAIN] },
];
const PASSPHRASE = "s3rver-key-pass";

interface Reply {
  status: number;
  body: string;
}

function call(url: string, ca: string, opts: { cert?: { cert: string; key: string }; method?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = opts.body ? { "content-type": "application/json" } : {};
    const req = request(url, { method: opts.method ?? "GET", ca, agent: false, headers, ...(opts.cert ?? {}), timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

let tmp: TempDir;
let pki: Pki;
let encryptedKey = "";

beforeAll(() => {
  tmp = createTempDir("steward-rt-https-");
  pki = createPki(tmp.path);
  encryptedKey = join(tmp.path, "server-encrypted.key");
  const r = Bun.spawnSync(["openssl", "pkey", "-in", pki.files.serverKey, "-aes256", "-passout", `pass:${PASSPHRASE}`, "-out", encryptedKey], {
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`openssl pkey failed: ${r.stderr.toString()}`);
});
afterAll(() => tmp?.remove());

for (const rt of RUNTIMES) {
  describe(`HTTPS API on ${rt.name}`, () => {
    const running: RunningProcess[] = [];
    afterAll(async () => {
      for (const p of running) await p.stop("SIGTERM", 10_000);
    });

    async function start(name: string, securityYaml: string): Promise<string> {
      const [port, udpPort] = [await freeTcpPort(HOST), await freeUdpPort(HOST)];
      const config = join(tmp.path, `${rt.name}-${name}.yaml`);
      writeFileSync(
        config,
        `dataDir: ./data-${rt.name}-${name}\nlogging: { level: warn, format: json }\nhttp: { host: ${HOST}, port: ${port} }\nudp: { host: ${HOST}, port: ${udpPort} }\n${securityYaml}`,
      );
      const proc = startProcess(rt.command[0]!, [...rt.command.slice(1), "run", "--config", config], { cwd: tmp.path, env: { ...process.env, NO_COLOR: "1" } });
      running.push(proc);
      const url = `https://${HOST}:${port}`;
      await waitFor(
        async () => {
          if (proc.hasExited()) throw new Error(`exited early:\n${proc.output()}`);
          return (await call(`${url}/health`, pki.caPem)).status === 200;
        },
        { what: `${rt.name} ${name} /health`, timeoutMs: 45_000, intervalMs: 100 },
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : err}\n--- output ---\n${proc.output()}`);
      });
      return url;
    }

    test("plain TLS with a passphrase-protected key", async () => {
      const url = await start("tls", `security:\n  tls: { certFile: ${pki.files.serverCert}, keyFile: ${encryptedKey}, passphrase: ${PASSPHRASE} }\n`);
      const r = await call(`${url}/v4/butlerping`, pki.caPem);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ response: "Butler reporting for duty" });
    }, 60_000);

    test("mutual TLS: a certificate matched by CN gets its rule's scopes; another CA's is refused", async () => {
      const url = await start(
        "mtls",
        `security:\n  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey}, caFile: ${pki.files.ca} }\n` +
          `  clientCerts:\n    - { name: etl, subjectCN: etl-client, scopes: [kv.read, kv.write] }\n`,
      );
      const cert = pki.client("etl-client");
      const set = await call(`${url}/v4/keyvalues/mtls`, pki.caPem, { cert, method: "POST", body: JSON.stringify({ key: "a", value: "b" }) });
      expect(set.status).toBe(201);
      const get = await call(`${url}/v4/keyvalues/mtls?key=a`, pki.caPem, { cert });
      expect(JSON.parse(get.body)).toEqual({ namespace: "mtls", key: "a", value: "b" });
      const admin = await call(`${url}/v4/audit`, pki.caPem, { cert });
      expect(admin.status).toBe(403);
      const rogue = await call(`${url}/v4/keyvaluesnamespaces`, pki.caPem, { cert: pki.client("rogue-client") });
      expect(rogue.status).toBe(401);
      expect(JSON.parse(rogue.body).error).toContain("client certificate not trusted");
      // Without a certificate: what security.anonymous grants a caller without a credential (the load-script scopes,
      // from loopback here, where no qlik: is set) and nothing else.
      expect((await call(`${url}/v4/audit`, pki.caPem)).status).toBe(401);
    }, 60_000);
  });
}
