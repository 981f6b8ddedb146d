// A small closed-loop HTTP/1.1 load generator for `npm run bench`: N keep-alive TCP connections, each sending
// its next request as soon as the previous response is complete, for a fixed duration. Errors are counted.

export interface HttpRequestSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: string;
}

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  durationMs: number;
  /** Requests during this leading period are sent but not recorded. */
  warmupMs: number;
  /** The i-th request overall (so keys can vary). */
  request: (i: number) => HttpRequestSpec;
  /** Called every ~200 ms while running (RSS sampling). */
  onTick?: () => void;
}

export interface LoadResult {
  connections: number;
  durationS: number;
  requests: number;
  errors: number;
  /** Non-2xx responses by status. */
  statuses: Record<string, number>;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

function encode(host: string, port: number, r: HttpRequestSpec): Buffer {
  const body = r.body ?? "";
  const head =
    `${r.method} ${r.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\n` +
    (r.body !== undefined ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : "") +
    "\r\n";
  return Buffer.from(head + body);
}

/** Length of a complete response at the start of `buf`, or -1 if more bytes are needed. */
function responseLength(buf: Buffer): { length: number; status: number } | undefined {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) return undefined;
  const head = buf.toString("latin1", 0, end);
  const status = Number(head.slice(9, 12));
  const bodyStart = end + 4;
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) {
    const total = bodyStart + Number(cl[1]);
    return buf.length >= total ? { length: total, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let pos = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", pos);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString("latin1", pos, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error("bad chunk size in response");
      pos = lineEnd + 2 + size + 2;
      if (buf.length < pos) return undefined;
      if (size === 0) return { length: pos, status };
    }
  }
  return { length: bodyStart, status }; // no body (204/304)
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Runs the load; resolves after durationMs (+ the in-flight responses, at most 2 s more). */
export async function runHttpLoad(o: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let errors = 0;
  let seq = 0;
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const stopAt = measureFrom + o.durationMs;
  let open = 0;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((r) => (finish = r));

  const record = (ms: number) => {
    if (recorded === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[recorded++] = ms;
  };

  const startConnection = () =>
    new Promise<void>((resolveOpen, rejectOpen) => {
      let buf: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let done = false;
      const send = (socket: { write(b: Buffer): number; end(): void }) => {
        if (performance.now() >= stopAt) {
          done = true;
          socket.end();
          return;
        }
        sentAt = performance.now();
        const bytes = encode(o.host, o.port, o.request(seq++));
        if (socket.write(bytes) !== bytes.length) throw new Error("partial write of a small request");
      };
      void Bun.connect({
        hostname: o.host,
        port: o.port,
        socket: {
          open(socket) {
            open++;
            resolveOpen();
            send(socket);
          },
          data(socket, chunk) {
            buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
            for (;;) {
              const r = responseLength(buf);
              if (!r) return;
              buf = buf.subarray(r.length);
              const now = performance.now();
              if (r.status < 200 || r.status >= 300) {
                errors++;
                statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              } else if (sentAt >= measureFrom && now <= stopAt) record(now - sentAt);
              send(socket);
              if (done) return;
            }
          },
          close() {
            if (!done && performance.now() < stopAt) errors++;
            if (--open === 0) finish();
          },
          error() {
            errors++;
          },
          connectError(_s, err) {
            rejectOpen(err);
          },
        },
      }).catch(rejectOpen);
    });

  await Promise.all(Array.from({ length: o.connections }, startConnection));
  const ticker = o.onTick ? setInterval(o.onTick, 200) : undefined;
  const hardStop = setTimeout(finish, o.warmupMs + o.durationMs + 2_000);
  await allDone;
  clearTimeout(hardStop);
  if (ticker) clearInterval(ticker);

  const sorted = latencies.subarray(0, recorded).sort();
  const durationS = o.durationMs / 1000;
  return {
    connections: o.connections,
    durationS,
    requests: recorded,
    errors,
    statuses,
    rps: Math.round(recorded / durationS),
    p50Ms: round3(percentile(sorted, 50)),
    p99Ms: round3(percentile(sorted, 99)),
    maxMs: round3(recorded ? sorted[recorded - 1]! : Number.NaN),
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
