// Evaluates expressions in one app through the Engine: one session of its own (an identity, so no one's
// selections apply), OpenDoc with data, one EvaluateEx per expression, all within one deadline. Nothing here
// can hang: a connection, an OpenDoc or an EvaluateEx past the deadline ends the session and says which step.
import { wallClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { CheckValue } from "../../platform/events/types";
import type { EngineClient } from "../../platform/qlik/engine-client";
import { GLOBAL_HANDLE, handleOf } from "../../platform/qlik/engine-doc";
import { EngineRpcError, type EngineSession } from "../../platform/qlik/engine-session";

/** What the Engine said about one expression: a value, or its error (a bad expression). */
export type EngineAnswer = { ok: true; value: CheckValue } | { ok: false; error: string };

/** `transient`: the Engine could not be reached or dropped the connection (worth one more try), not a refusal or a timeout. */
export type AppEvaluation = { ok: true; answers: Map<string, EngineAnswer> } | { ok: false; error: string; transient?: boolean };

/** The session identity: Steward's check sessions never share state with a user's or the reloader's. */
export const CHECK_IDENTITY = "steward-checks";

/** A bad expression comes back in the result as text on the Engines seen; a JSON-RPC error is taken as the same. */
const ERROR_TEXT = /^\s*Error(?: in expression)?\s*:/i;

interface FieldValue {
  qText?: string;
  qIsNumeric?: boolean;
  qNumber?: number | string;
}

/**
 * Longest value text kept: a check's value is a number or a short text; a Concat() of a whole field could be
 * megabytes, which would go into the store, every alert and every channel.
 */
export const MAX_VALUE_TEXT = 1_000;

export function clipText(text: string): string {
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}… (${text.length} characters)` : text;
}

/** EvaluateEx's dual as a CheckValue; an error text (not numeric) as the Engine's error. */
export function answerOf(v: FieldValue | undefined): EngineAnswer {
  const text = clipText(typeof v?.qText === "string" ? v.qText : "");
  const number = v?.qIsNumeric === true ? Number(v.qNumber) : NaN;
  if (!Number.isFinite(number) && ERROR_TEXT.test(text)) return { ok: false, error: text.trim() };
  return { ok: true, value: { text, number: Number.isFinite(number) ? number : null } };
}

class Deadline extends Error {}

export async function evaluateInApp(engine: EngineClient, appId: string, expressions: readonly string[], timeoutMs: number): Promise<AppEvaluation> {
  const started = Date.now();
  const left = () => Math.max(1, timeoutMs - (Date.now() - started));
  let step = "connecting to the Engine";
  const abort = new AbortController();
  const timer = wallClock.setTimeout(() => abort.abort(new Deadline()), timeoutMs);
  const expired = new Promise<never>((_, reject) => abort.signal.addEventListener("abort", () => reject(new Deadline()), { once: true }));
  expired.catch(() => undefined);
  let session: EngineSession | undefined;
  try {
    const opening = engine.openSession(`/app/${encodeURIComponent(appId)}/identity/${CHECK_IDENTITY}`);
    // A session that opens after the deadline is closed at once.
    opening.then(
      (s) => (abort.signal.aborted ? void s.close() : undefined),
      () => undefined,
    );
    session = await Promise.race([opening, expired]);
    step = "opening the app (OpenDoc)";
    // The deadline (the signal) ends a call; the call's own timeout, a little later, only backs it up.
    const opts = () => ({ timeoutMs: left() + 1_000, signal: abort.signal });
    const doc = handleOf(await session.call(GLOBAL_HANDLE, "OpenDoc", [appId, "", "", "", false], opts()), `app ${appId}`);
    const answers = new Map<string, EngineAnswer>();
    for (const expression of expressions) {
      if (answers.has(expression)) continue;
      step = `evaluating ${expression}`;
      // The Engine evaluates an expression without the "=" a chart would have.
      const text = expression.trim().replace(/^=\s*/, "");
      try {
        const r = await session.call<{ qValue?: FieldValue }>(doc, "EvaluateEx", [text], opts());
        answers.set(expression, answerOf(r.qValue));
      } catch (err) {
        if (!(err instanceof EngineRpcError) || abort.signal.aborted) throw err;
        answers.set(expression, { ok: false, error: clipText(err.message.replace(/^Engine EvaluateEx failed: /, "")) });
      }
    }
    return { ok: true, answers };
  } catch (err) {
    if (abort.signal.aborted)
      return { ok: false, error: `the Engine did not answer within ${Math.round(timeoutMs / 1000)} s (dataChecks.timeout) while ${step}` };
    if (err instanceof EngineRpcError && step.startsWith("opening")) return { ok: false, error: `the Engine refused to open the app: ${err.message}` };
    return { ok: false, error: `${describeError(err)} (while ${step})`, transient: !(err instanceof EngineRpcError) };
  } finally {
    wallClock.clearTimeout(timer);
    await session?.close().catch(() => undefined);
  }
}
