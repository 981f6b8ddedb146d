// What the HTTP attack tests share: a Steward on the simulator with every optional route family that needs no other
// service (file operations on real folders, check-ins), its operations as /openapi.json lists them, and raw-socket
// senders for what fetch() cannot do (a body cut off, a body far past the limit, a sender one byte at a time).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { type Harness, startHarness } from "../../start/control/harness";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

export const PING_KEY = "attack-probe-ping-key-4b1f0c9e2d";
export const FILE_ROOTS = ["in", "out", "del", "mk", "qvd"] as const;

export interface Operation {
  method: string;
  /** The OpenAPI path, `{name}` for parameters. */
  path: string;
  scope: string;
  params: Array<{ name: string; in: string; schema?: { type?: string; format?: string } }>;
  /** The JSON body's schema (components resolved one level), when the operation takes one. */
  body?: { type?: string; properties?: Record<string, { type?: string }>; required?: string[] };
}

export interface AttackSite {
  h: Harness;
  url: string;
  port: number;
  /** Holds the allowed folders (`files/<root>`) and a folder beside them no request may touch (`outside`). */
  dir: TempDir;
  ops: Operation[];
  /** Every file below `dir`, to show a refused request wrote nothing. */
  files(): string[];
  close(): Promise<void>;
}

export async function startAttackSite(extraTopLevel = ""): Promise<AttackSite> {
  const dir = createTempDir("steward-http-attack-");
  const F = join(dir.path, "files");
  for (const r of FILE_ROOTS) mkdirSync(join(F, r), { recursive: true });
  mkdirSync(join(dir.path, "outside"));
  writeFileSync(join(dir.path, "outside", "secret.txt"), "outside");
  writeFileSync(join(F, "in", "a.txt"), "a");
  // The harness's extra YAML continues its `control:` section; these are top-level sections after it.
  const h = await startHarness(
    `files:\n  copy:\n    - { from: ${F}/in, to: ${F}/out }\n  move:\n    - { from: ${F}/in, to: ${F}/out }\n  delete: [${F}/del]\n` +
      `  createDir: [${F}/mk]\n  qvdRoot: ${F}/qvd\ncheckins:\n  checks:\n    nightly: { key: ${PING_KEY}, cron: "0 5 * * *", grace: 30m }\nmcp:\n  enabled: true\n${extraTopLevel}`,
  );
  const url = h.t.app.server!.url();
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDoc;
  const listed = operationsOf(doc);
  return {
    h,
    url,
    port: h.t.app.server!.port(),
    dir,
    ops: [...listed, ...hiddenOperations(h, listed)],
    files: () => listFiles(dir.path),
    async close() {
      await h.close();
      dir.remove();
    },
  };
}

/**
 * Routes served but left out of /openapi.json (not REST: the dashboard's pages, the assistants' MCP endpoint, whose
 * answers are JSON-RPC), from the router's own list, so a hidden route added later is attacked too.
 */
function hiddenOperations(h: Harness, listed: Operation[]): Operation[] {
  const known = new Set(listed.map((op) => `${op.method} ${op.path}`));
  const out: Operation[] = [];
  for (const r of h.t.app.http.router.routes) {
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1]!, in: "path" }));
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) {
      const method = String(m).toUpperCase();
      if (known.has(`${method} ${path}`)) continue;
      out.push({ method, path, scope: r.scope, params, ...(method === "POST" ? { body: { type: "object" } } : {}) });
    }
  }
  return out;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { "x-steward-scope": string; parameters?: Operation["params"]; requestBody?: { content: Record<string, { schema?: unknown }> } }>
  >;
  components?: { schemas?: Record<string, unknown> };
}

function operationsOf(doc: OpenApiDoc): Operation[] {
  const resolve = (s: unknown): Operation["body"] => {
    const ref = (s as { $ref?: string } | undefined)?.$ref;
    return (ref ? doc.components?.schemas?.[ref.split("/").pop()!] : s) as Operation["body"];
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const json = op.requestBody?.content["application/json"];
      ops.push({
        method: method.toUpperCase(),
        path,
        scope: op["x-steward-scope"],
        params: op.parameters ?? [],
        body: json ? resolve(json.schema) : undefined,
      });
    }
  }
  return ops;
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The operation's path with each parameter replaced by `value` (a GUID for GUID parameters unless `raw`). */
export function fill(op: Operation, value: string, raw = false): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (raw) return value;
    const schema = op.params.find((p) => p.name === name)?.schema;
    if (schema?.type === "integer" || schema?.type === "number") return "987654";
    if (name === "key" && op.path.startsWith("/ping")) return PING_KEY;
    return value;
  });
}

/** HTTP status lines and bodies of one raw exchange. */
export interface RawAnswer {
  status: number;
  body: string;
  /** Bytes of the request body written before the server closed or answered. */
  sent: number;
  closedBy: "server" | "us";
}

/**
 * Sends headers, then up to `total` body bytes in 64 KiB pieces (chunked or with a Content-Length), and stops at the
 * server's first answer or close; `resetAt` resets the connection (RST) 50 ms after that many bytes are written.
 */
export function streamBody(port: number, method: string, path: string, opts: { total: number; chunked: boolean; resetAt?: number }): Promise<RawAnswer> {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  const framed = opts.chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    let sent = 0;
    let got = "";
    let done = false;
    const finish = (closedBy: RawAnswer["closedBy"]) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ ...parseAnswer(got), sent, closedBy });
    };
    const pump = () => {
      while (!done && sent < opts.total && got === "") {
        if (opts.resetAt !== undefined && sent >= opts.resetAt) {
          // A moment for the route to start reading the body, so the reset lands mid-read, not before routing.
          setTimeout(() => {
            s.resetAndDestroy();
            finish("us");
          }, 50);
          return;
        }
        sent += piece.length;
        if (!s.write(framed)) return void s.once("drain", pump);
      }
      if (!done && opts.chunked && sent >= opts.total) s.write("0\r\n\r\n");
    };
    s.on("connect", () => {
      const length = opts.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${opts.total}`;
      s.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
      pump();
    });
    s.on("data", (d) => {
      got += d.toString("latin1");
    });
    s.on("close", () => finish("server"));
    s.on("error", () => finish("server"));
  });
}

/**
 * Writes `head` at once, then `raw` one byte every `everyMs`, and reports when the server closed the connection (ms after the first
 * byte), or that it was still open after `giveUpMs`.
 */
export function trickle(
  port: number,
  raw: string,
  everyMs: number,
  giveUpMs: number,
  head = "",
): Promise<{ closedAfterMs?: number; sent: number; answer: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      if (head) s.write(head);
    });
    const started = Date.now();
    let sent = 0;
    let answer = "";
    const end = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      s.destroy();
      resolve({ ...(closed ? { closedAfterMs: Date.now() - started } : {}), sent, answer });
    };
    const timer = setInterval(() => {
      if (sent < raw.length && !s.destroyed) s.write(raw[sent++]!);
    }, everyMs);
    const giveUp = setTimeout(() => end(false), giveUpMs);
    s.on("data", (d) => {
      answer += d.toString("latin1");
    });
    s.on("close", () => end(true));
    s.on("error", () => undefined);
  });
}

/** Writes one raw request (the caller sends `Connection: close`) and reads the answer to the server's close. */
export function rawExchange(port: number, raw: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => s.write(raw));
    let got = "";
    s.on("data", (d) => {
      got += d.toString("latin1");
    });
    s.on("close", () => resolve(parseAnswer(got)));
    s.on("error", () => undefined);
  });
}

function parseAnswer(text: string): { status: number; body: string } {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const at = text.indexOf("\r\n\r\n");
  return { status: m ? Number(m[1]) : 0, body: at >= 0 ? text.slice(at + 4) : "" };
}

/**
 * `steward_http_requests_total` series with a 5xx status, as `METHOD route status`; 503 is left out (a feature that is
 * not configured answers it by design: `dataChecks:`, `licenseRelease:`).
 */
export async function serverErrors(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .map((l) => /^steward_http_requests_total\{method="(\w+)",route="([^"]*)",status="(50[0-24-9])"\}/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}
