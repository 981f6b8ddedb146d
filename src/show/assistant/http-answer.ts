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

export function answerResponse(c: Context<HttpEnv>, answers: Answer[], how: { batch: boolean; accepts: Accepts }): Response {
  if (answers.length === 0) return c.body(null, 202);
  if (!how.accepts.json) {
    const stream = answers.map((a) => `event: message\ndata: ${JSON.stringify(a)}\n\n`).join("");
    return c.body(stream, 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  }
  return c.json(how.batch ? answers : answers[0]);
}
