// How /mcp's answers go back over HTTP: nothing to answer (notifications only) is 202 with no body; a batch's
// answers are a JSON array, one message's its object. MCP clients accept JSON and server-sent events alike; a client
// that accepts only events (some proxies) gets each answer as one `message` event of a stream that then ends.
import type { Context } from "hono";
import type { HttpEnv } from "../../platform/http/types";
import type { Answer } from "./protocol";

export interface Accepts {
  json: boolean;
  events: boolean;
}

/** What the Accept header takes; none (or any type) takes JSON. */
export function acceptsOf(header: string | undefined): Accepts {
  const types = (header ?? "*/*").split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  return {
    json: types.some((t) => t === "application/json" || t === "application/*" || t === "*/*"),
    events: types.includes("text/event-stream"),
  };
}

// RFC 9110's token and quoted-string, for a media type's parameters.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUOTED = /^"(?:[^"\\]|\\.)*"$/;

/**
 * Whether a Content-Type names JSON exactly: `application/json` (any case) with only well-formed parameters, and a
 * charset, if one is given, of UTF-8 (the body is read as UTF-8, as RFC 8259 has JSON sent). `application/jsonx`,
 * `text/plain; application/json` or two types in one header are not JSON.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(";");
  if (type!.trim().toLowerCase() !== "application/json") return false;
  return params.every((p) => {
    const eq = p.indexOf("=");
    if (eq < 0) return p.trim() === "";
    const name = p.slice(0, eq).trim();
    const value = p.slice(eq + 1).trim();
    if (!TOKEN.test(name) || !(TOKEN.test(value) || QUOTED.test(value))) return false;
    return name.toLowerCase() !== "charset" || value.replace(/"/g, "").toLowerCase() === "utf-8";
  });
}

export function answerResponse(c: Context<HttpEnv>, answers: Answer[], how: { batch: boolean; accepts: Accepts }): Response {
  if (answers.length === 0) return c.body(null, 202);
  if (!how.accepts.json) {
    const stream = answers.map((a) => `event: message\ndata: ${JSON.stringify(a)}\n\n`).join("");
    return c.body(stream, 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  }
  return c.json(how.batch ? answers : answers[0]);
}
