// A bounded log of every QRS and Engine request the simulator received, so tests can assert what a client called.

export interface LoggedRequest {
  seq: number;
  time: string;
  source: "qrs" | "engine" | "version" | "cloud";
  method: string;
  path: string;
  query: Record<string, string>;
  headers: { xrfkey?: string; user?: string; contentType?: string; userAgent?: string };
  status?: number;
  /** Request body for writes (JSON if it parses, else text; cut at 4 KiB). */
  body?: unknown;
  /** Engine JSON-RPC call on an open socket. */
  rpc?: { id: unknown; handle: unknown; method: string; params: unknown };
}

export interface RequestLogQuery {
  source?: "qrs" | "engine" | "version" | "cloud";
  sinceSeq?: number;
  method?: string;
  pathContains?: string;
}

export interface RequestLog {
  add(entry: Omit<LoggedRequest, "seq" | "time">, timeMs: number): LoggedRequest;
  list(q?: RequestLogQuery): LoggedRequest[];
  clear(): void;
}

const MAX_ENTRIES = 10_000;

export function pickHeaders(h: Headers): LoggedRequest["headers"] {
  const out: LoggedRequest["headers"] = {};
  const x = h.get("x-qlik-xrfkey");
  const u = h.get("x-qlik-user");
  const c = h.get("content-type");
  const a = h.get("user-agent");
  if (x !== null) out.xrfkey = x;
  if (u !== null) out.user = u;
  if (c !== null) out.contentType = c;
  if (a !== null) out.userAgent = a;
  return out;
}

export function createRequestLog(): RequestLog {
  let seq = 0;
  const entries: LoggedRequest[] = [];
  return {
    add(entry, timeMs) {
      const rec: LoggedRequest = { seq: ++seq, time: new Date(timeMs).toISOString(), ...entry };
      entries.push(rec);
      if (entries.length > MAX_ENTRIES) entries.splice(0, entries.length - MAX_ENTRIES);
      return rec;
    },
    list(q = {}) {
      return entries.filter(
        (e) =>
          (q.source === undefined || e.source === q.source) &&
          (q.sinceSeq === undefined || e.seq > q.sinceSeq) &&
          (q.method === undefined || e.method.toUpperCase() === q.method.toUpperCase() || e.rpc?.method === q.method) &&
          (q.pathContains === undefined || e.path.toLowerCase().includes(q.pathContains.toLowerCase())),
      );
    },
    clear() {
      entries.length = 0;
    },
  };
}
