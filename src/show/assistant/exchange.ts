// The messages of one /mcp body (one message, or a JSON-RPC batch already bounded by request-bounds.ts) answered in
// order: a body with a message that is no JSON-RPC message, or an initialize sent with others, is refused whole
// before anything runs; each request gets its answer (charged to the request's answer budget); notifications and a
// client's responses get none.
import type { Catalog } from "./catalog";
import { dispatch, type ServerInfo } from "./dispatch";
import { type Answer, type Message, RpcCode, RpcFailure, type RpcError, readMessage, rpcError, rpcResult } from "./protocol";
import { type AnswerBudget, chargeAnswer } from "./request-bounds";

export type Exchange = { refused: RpcError } | { answers: Answer[] };

type Request = Extract<Message, { kind: "request" }>;

/** The body's messages, or the refusal of all of them. */
function readAll(body: unknown): { messages: Message[] } | { refused: RpcError } {
  const raw = Array.isArray(body) ? body : [body];
  const messages: Message[] = [];
  for (const [i, item] of raw.entries()) {
    const m = readMessage(item);
    if ("invalid" in m) {
      const where = Array.isArray(body) ? ` (message ${i + 1} of the batch)` : "";
      return { refused: rpcError(null, RpcCode.invalidRequest, `Invalid Request: ${m.invalid}${where}`) };
    }
    messages.push(m);
  }
  if (messages.length > 1 && messages.some((m) => m.kind === "request" && m.method === "initialize")) {
    return { refused: rpcError(null, RpcCode.invalidRequest, "Invalid Request: initialize is sent alone, not in a batch") };
  }
  return { messages };
}

/** Whether a tools/call runs a tool that changes something (its answer is never cut, request-bounds.ts). */
const acts = (r: Request, catalog: Catalog): boolean =>
  r.method === "tools/call" && catalog.tools.some((t) => t.name === r.params?.name && t.annotations.readOnlyHint !== true);

async function answer(r: Request, catalog: Catalog, info: ServerInfo): Promise<Answer> {
  try {
    return rpcResult(r.id, await dispatch(r.method, r.params, catalog, info));
  } catch (err) {
    if (err instanceof RpcFailure) return rpcError(r.id, err.code, err.message);
    return rpcError(r.id, RpcCode.internalError, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Answers the body's requests one after the other, in the body's order. */
export async function exchange(body: unknown, catalog: Catalog, info: ServerInfo, budget: AnswerBudget): Promise<Exchange> {
  const read = readAll(body);
  if ("refused" in read) return read;
  const answers: Answer[] = [];
  for (const m of read.messages) {
    if (m.kind === "request") answers.push(chargeAnswer(await answer(m, catalog, info), budget, acts(m, catalog)));
  }
  return { answers };
}
