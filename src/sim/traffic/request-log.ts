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
  /** Bytes of the response body (QRS), so a client's cost can be measured. */
  responseBytes?: number;
  /** Items of a JSON list answer (QRS), so a test can see how many rows one call read. */
  responseItems?: number;
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
  /** Requests and response bytes per source and path (ids replaced by {id}) since the start or the last clear: not bounded like the list. */
  totals(): Map<string, { requests: number; bytes: number }>;
}

const MAX_ENTRIES = 10_000;
const TRIM_STEP = 1_000;

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
  const sums = new Map<string, { requests: number; bytes: number }>();
  return {
    add(entry, timeMs) {
      const rec: LoggedRequest = { seq: ++seq, time: new Date(timeMs).toISOString(), ...entry };
      const key = `${entry.source} ${entry.method} ${entry.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "{id}")}`;
      const sum = sums.get(key) ?? sums.set(key, { requests: 0, bytes: 0 }).get(key)!;
      sum.requests++;
      sum.bytes += entry.responseBytes ?? 0;
      entries.push(rec);
      // Trimmed in steps: cutting one entry off the front at each request moved 10,000 entries every time.
      if (entries.length > MAX_ENTRIES + TRIM_STEP) entries.splice(0, entries.length - MAX_ENTRIES);
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
      sums.clear();
    },
    totals() {
      return new Map([...sums].map(([k, v]) => [k, { ...v }]));
    },
  };
}
