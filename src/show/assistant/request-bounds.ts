// What one /mcp request may cost, fixed before it runs: a JSON-RPC batch of at most MAX_BATCH calls (each counted
// against the key's rate limit), and answers of at most ANSWER_BUDGET_CHARS together, documents and tools alike. A
// batch of thousands of documentation reads took gigabytes and never answered before these bounds.
import { type Answer, RpcCode, rpcError } from "./protocol";

/** Calls in one JSON-RPC batch; more is refused whole (docs/security.md). */
export const MAX_BATCH = 10;
/** The serialised answers of one request together; past it a call is answered with an error asking for a new request. */
export const ANSWER_BUDGET_CHARS = 512 * 1024;

/** How many JSON-RPC messages the body carries (a batch is an array), or a refusal to answer with. */
export function batchSize(body: unknown): { calls: number } | { refuse: string } {
  if (!Array.isArray(body)) return { calls: 1 };
  if (body.length === 0) return { refuse: "Invalid Request: an empty batch" };
  if (body.length > MAX_BATCH) {
    return { refuse: `Invalid Request: a batch of ${body.length} calls; /mcp takes at most ${MAX_BATCH} per request (send the rest in further requests)` };
  }
  return { calls: body.length };
}

export interface AnswerBudget {
  /** Characters of answers sent so far. */
  spent: number;
  /** Answers replaced by an error because the budget was spent. */
  cut: number;
}

/**
 * Charges one answer to `budget`: one that would pass ANSWER_BUDGET_CHARS is replaced by a JSON-RPC error (its id
 * kept, so the client knows which call to repeat), whose size is charged instead. The answer of a call that acted
 * (`acted`) is sent whatever its size (a tool answer is bounded, bounds.ts): told to send it again, a client would
 * start the task twice.
 */
export function chargeAnswer(answer: Answer, budget: AnswerBudget, acted = false): Answer {
  const size = JSON.stringify(answer).length;
  if (acted || budget.spent + size <= ANSWER_BUDGET_CHARS) {
    budget.spent += size;
    return answer;
  }
  budget.cut++;
  const refusal = rpcError(
    answer.id,
    RpcCode.serverError,
    `this request's answers reached ${ANSWER_BUDGET_CHARS} characters (the bound of one /mcp request); send this call again in a request of its own`,
  );
  budget.spent += JSON.stringify(refusal).length;
  return refusal;
}
