// Test clients for the simulator built on plain fetch / WebSocket / node:dgram with the generated client
// certificate (deliberately not Steward's own Qlik client), plus a shared certificate set per test file.
import { createSocket, type Socket } from "node:dgram";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../../src/sim";
import { simCertDir } from "../../helpers/sim-certs";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

export const XRF = "abcdefghijKLMNOP";
export const USER = "UserDirectory=INTERNAL; UserId=sa_repository";

let certDir: string | undefined;
/**
 * One certificate directory per test file (per process without `--isolate`), seeded with the set the test helpers
 * share (generating RSA keys costs ~0.4 s; test/helpers/sim-certs.ts). The preload removes it once the file's
 * afterAll hooks have run (a `process` "exit" hook never runs in bun test).
 */
export function sharedCertDir(): string {
  certDir ??= simCertDir(createTempDir("steward-sim-certs-").path);
  return certDir;
}

export interface TestSim {
  sim: Simulator;
  qrs: QrsClient;
  control: ControlClient;
  stop(): Promise<void>;
}

export async function startTestSim(opts: SimulatorOptions = {}): Promise<TestSim> {
  const sim = await startSimulator({
    certDir: sharedCertDir(),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    versionPort: 0,
    schedules: false,
    ...opts,
    settings: { ...opts.settings, timing: { durationOverrideMs: 80, ...opts.settings?.timing } },
  });
  return { sim, qrs: qrsClient(sim), control: controlClient(sim.urls.control), stop: () => sim.stop() };
}

export interface HttpResult {
  status: number;
  text: string;
  headers: Headers;
  json<T = any>(): T;
}

async function result(res: Response): Promise<HttpResult> {
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}

export interface QrsClient {
  tls: { ca: string; cert: string; key: string };
  /** GET/POST `/qrs/{path}` with a matching xrfkey and X-Qlik-User unless overridden. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; headers?: Record<string, string>; xrfkey?: string | null; raw?: boolean },
  ): Promise<HttpResult>;
  get(path: string): Promise<HttpResult>;
  post(path: string, body?: unknown): Promise<HttpResult>;
}

export function qrsClient(sim: Simulator): QrsClient {
  const tls = { ca: sim.certs.ca, cert: sim.certs.clientCert, key: sim.certs.clientKey };
  const request: QrsClient["request"] = async (method, path, opts = {}) => {
    const key = opts.xrfkey === undefined ? XRF : opts.xrfkey;
    const sep = path.includes("?") ? "&" : "?";
    const url = `${sim.urls.qrs}/qrs/${path}${key === null ? "" : `${sep}xrfkey=${key}`}`;
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Qlik-User": USER,
      ...(key === null ? {} : { "X-Qlik-Xrfkey": key }),
      ...opts.headers,
    };
    for (const [k, v] of Object.entries(headers)) if (v === "") delete headers[k];
    const init: RequestInit & { tls: typeof tls } = { method, headers, tls };
    if (opts.body !== undefined) init.body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    return result(await fetch(url, init));
  };
  return {
    tls,
    request,
    get: (path) => request("GET", path),
    post: (path, body = {}) => request("POST", path, { body }),
  };
}

/** `filter=` value percent-encoded the way axios/Node do it. */
export const f = (expr: string) => `filter=${encodeURIComponent(expr)}`;

export interface ControlClient {
  get(path: string): Promise<HttpResult>;
  send(method: string, path: string, body?: unknown): Promise<HttpResult>;
}

export function controlClient(base: string): ControlClient {
  return {
    get: async (path) => result(await fetch(`${base}${path}`)),
    send: async (method, path, body) =>
      result(
        await fetch(`${base}${path}`, {
          method,
          headers: { "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      ),
  };
}

/** Polls the QRS until the task's last execution result has `status` (bounded). */
export async function waitForStatus(qrs: QrsClient, taskId: string, status: number | number[], timeoutMs = 5_000) {
  const wanted = Array.isArray(status) ? status : [status];
  return waitFor(
    async () => {
      const r = await qrs.get(`task/full?${f(`id eq ${taskId}`)}`);
      const last = r.json()[0]?.operational?.lastExecutionResult;
      return wanted.includes(last?.status) ? last : undefined;
    },
    { timeoutMs, intervalMs: 15, what: `task ${taskId} status ${wanted.join("|")}` },
  );
}

export interface UdpReceiver {
  port: number;
  messages: Buffer[];
  waitForCount(n: number, timeoutMs?: number): Promise<Buffer[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function udpReceiver(): Promise<UdpReceiver> {
  const sock: Socket = createSocket("udp4");
  const messages: Buffer[] = [];
  sock.on("message", (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return {
    port: sock.address().port,
    messages,
    waitForCount: (n, timeoutMs = 5_000) =>
      waitFor(() => (messages.length >= n ? [...messages] : undefined), { timeoutMs, intervalMs: 10, what: `${n} datagrams` }),
    clear: () => {
      messages.length = 0;
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

export interface EngineClient {
  ws: WebSocket;
  notifications: any[];
  call(method: string, params?: unknown, handle?: number, extra?: Record<string, unknown>): Promise<any>;
  close(): void;
}

/** Opens a WebSocket to the Engine with the client certificate; resolves after OnConnected. */
export function engineClient(sim: Simulator, path = "/app/engineData", headers: Record<string, string> = { "X-Qlik-User": USER }): Promise<EngineClient> {
  const ws = new WebSocket(`${sim.urls.engine}${path}`, {
    headers,
    tls: { ca: sim.certs.ca, cert: sim.certs.clientCert, key: sim.certs.clientKey },
  } as unknown as string[]);
  const notifications: any[] = [];
  const pending = new Map<number, (msg: any) => void>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("engine: no OnConnected within 5 s")), 5_000);
    ws.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`engine websocket error: ${(e as ErrorEvent).message ?? "?"}`));
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.id !== undefined && pending.has(msg.id)) {
        pending.get(msg.id)!(msg);
        pending.delete(msg.id);
        return;
      }
      notifications.push(msg);
      if (msg.method === "OnConnected") {
        clearTimeout(timer);
        resolve({
          ws,
          notifications,
          call(method, params = [], handle = -1, extra = {}) {
            const id = nextId++;
            return new Promise((res, rej) => {
              const t = setTimeout(() => rej(new Error(`engine: no reply to ${method} within 5 s`)), 5_000);
              pending.set(id, (m) => {
                clearTimeout(t);
                res(m);
              });
              ws.send(JSON.stringify({ jsonrpc: "2.0", id, handle, method, params, ...extra }));
            });
          },
          close: () => ws.close(1000),
        });
      }
    };
  });
}
