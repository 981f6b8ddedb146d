// Response helpers and a strict query-string parser shared by the simulator's HTTP servers.

/** What a JSON answer made by json() holds, noted as it is made: the request log counts it without reading it again. */
const jsonFacts = new WeakMap<Response, { bytes: number; items?: number }>();

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const res = new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
  jsonFacts.set(res, { bytes: Buffer.byteLength(text), ...(Array.isArray(body) ? { items: body.length } : {}) });
  return res;
}

/** The size (and a list's number of items) of an answer made by json(); undefined for anything else. */
export function jsonAnswerFacts(res: Response): { bytes: number; items?: number } | undefined {
  return jsonFacts.get(res);
}

export function text(status: number, body: string, contentType = "text/plain; charset=utf-8"): Response {
  return new Response(body, { status, headers: { "content-type": contentType } });
}

export function empty(status: number): Response {
  return new Response(null, { status });
}

export class QueryError extends Error {}

/**
 * Parses a raw query string. A part without `=` is reported (QRS answers "Missing parameter value(s)"),
 * `+` is a space, and bad percent-encoding throws.
 */
export function parseQuery(search: string): { params: Map<string, string>; bare: string[] } {
  const params = new Map<string, string>();
  const bare: string[] = [];
  const raw = search.startsWith("?") ? search.slice(1) : search;
  if (raw === "") return { params, bare };
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        throw new QueryError(`malformed percent-encoding in '${s}'`);
      }
    };
    if (eq < 0) {
      bare.push(decode(part));
      continue;
    }
    params.set(decode(part.slice(0, eq)).toLowerCase(), decode(part.slice(eq + 1)));
  }
  return { params, bare };
}

export async function readBody(req: Request, limit = 1_048_576): Promise<string> {
  const buf = await req.arrayBuffer();
  if (buf.byteLength > limit) throw new QueryError(`request body larger than ${limit} bytes`);
  return new TextDecoder().decode(buf);
}
