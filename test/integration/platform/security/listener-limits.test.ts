// The REST listeners under a file-descriptor limit: Steward runs as a child process with `ulimit -n 256`, and 800
// connections (three times the limit) from eight other loopback addresses are opened and left idle (half raw TCP that never starts TLS,
// half TLS handshakes without a certificate). A client with a certificate must still get its answer, and the idle
// connections must be closed by Steward, not held. Checked for the mutual-TLS listener (node:tls, its own
// deadlines and caps) and the HTTPS listener, which under a limit this low is the same capped listener without
// client certificates: the runtime's server (Bun.serve) has no cap, and past the limit it retried accept() at every
// turn of its loop, a core spent for as long as the flood lasted.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as tcpConnect, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPorts } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { createPki, type Pki } from "./certs";
import { wallLimit } from "../../../helpers/time-limit";

const REPO = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir("steward-fdlimit-");
let pki: Pki;
const running: RunningProcess[] = [];
beforeAll(() => {
  pki = createPki(tmp.path);
});
afterAll(async () => {
  for (const p of running) await p.stop("SIGTERM", 5_000);
  tmp.remove();
});

function get(url: string, cert?: { cert: string; key: string }, timeoutMs = 20_000): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { ca: pki.caPem, agent: false, ...(cert ?? {}), timeout: timeoutMs, localAddress: "127.0.0.1" }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", fail);
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end();
  });
}

/** Starts Steward with `ulimit -n 256` through a shell; resolves once its listener answers. */
async function stewardUnderLimit(name: string, security: string): Promise<{ url: string; port: number; proc: RunningProcess }> {
  const [port, udpPort] = (await freeTcpPorts(2)) as [number, number];
  const dir = join(tmp.path, name);
  const config = join(tmp.path, `${name}.yaml`);
  writeFileSync(config, `dataDir: ${dir}\nhttp: { host: 127.0.0.1, port: ${port} }\nudp: { host: 127.0.0.1, port: ${udpPort} }\nsecurity:\n${security}`);
  const proc = startProcess("sh", ["-c", 'ulimit -n 256 && exec "$0" src/main.ts run --config "$1" --log-format json', process.execPath, config], {
    cwd: REPO,
  });
  running.push(proc);
  const url = `https://127.0.0.1:${port}`;
  await waitFor(async () => (await get(`${url}/health`, undefined, 2_000)) === 200, {
    what: `${name} to answer\n${proc.output().slice(-2000)}`,
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  return { url, port, proc };
}

interface Flood {
  sockets: Socket[];
  /** Sockets the server closed (or refused). */
  closed(): number;
}

/** Opens n connections from 127.0.0.2–127.0.0.9 and leaves them idle: even ones raw TCP, odd ones TLS without a certificate. */
function flood(port: number, n: number): Flood {
  let closed = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const localAddress = `127.0.0.${2 + (i % 8)}`;
    const s: Socket =
      i % 2 === 0 ? tcpConnect({ host: "127.0.0.1", port, localAddress }) : tlsConnect({ host: "127.0.0.1", port, ca: pki.caPem, ...{ localAddress } });
    s.on("error", () => {});
    s.once("close", () => closed++);
    sockets.push(s);
  }
  return { sockets, closed: () => closed };
}

const ruleYaml = `  clientCerts:\n    - { name: etl, subjectCN: etl-client, scopes: [kv.read] }\n`;

test("mutual TLS (node:tls): a client with a certificate is answered at once, and every idle connection is closed", {
  timeout: wallLimit(120_000),
}, async () => {
  const s = await stewardUnderLimit(
    "mtls",
    `  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey}, caFile: ${pki.files.ca} }\n${ruleYaml}`,
  );
  const attack = flood(s.port, 800);
  try {
    // Every connection of the flood is taken and, over the caps, closed at once: none waits in the kernel's queue.
    await waitFor(() => attack.sockets.every((k) => !k.connecting || k.destroyed), { what: "the flood's connections to be accepted", timeoutMs: 30_000 });
    expect(await get(`${s.url}/v4/keyvaluesnamespaces`, pki.client("etl-client"))).toBe(200);
    expect(await get(`${s.url}/health`)).toBe(200);
    // Nothing is held: the rest are closed by their handshake or idle deadline (10 s each).
    await waitFor(() => attack.closed() === attack.sockets.length, {
      what: `Steward to close the idle connections (${attack.closed()} closed)`,
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(s.proc.hasExited()).toBe(false);
  } finally {
    for (const k of attack.sockets) k.destroy();
  }
});

test("HTTPS under a low open-file limit: the capped listener closes idle connections, so a flood past the limit is worked off", {
  timeout: wallLimit(120_000),
}, async () => {
  // Steward warns at start about a low limit, and serves HTTPS with caps below it (docs/security.md).
  const s = await stewardUnderLimit("https", `  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey} }\n  allowUnauthenticated: true\n`);
  const attack = flood(s.port, 600);
  try {
    await waitFor(() => attack.closed() === attack.sockets.length, {
      what: `Steward to close the idle connections (${attack.closed()} closed)`,
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    expect(await get(`${s.url}/health`)).toBe(200);
    expect(s.proc.output()).toContain("open-file limit");
    expect(s.proc.output()).toContain("connections capped for the low open-file limit");
  } finally {
    for (const k of attack.sockets) k.destroy();
  }
});
