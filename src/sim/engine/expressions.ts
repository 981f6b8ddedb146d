// The values the simulated Engine gives for Evaluate/EvaluateEx: set per app and expression text by the site
// file (`expressions:` on an app) and the control API (PUT /apps/{id}/expressions). The simulator computes no
// Qlik expression: text it has no value for is answered as the Engine answers a bad expression.
import { z } from "zod";

/** A number (a dual of its text and itself), a text, null (Qlik's null: "-"), a dual, or a bad expression. */
export const ExpressionValueSchema = z.union([
  z.number(),
  z.string(),
  z.null(),
  z.strictObject({ text: z.string(), number: z.number().nullable().default(null) }),
  z.strictObject({ error: z.string().min(1).describe("The Engine's message for a bad expression, e.g. \"')' expected\".") }),
]);

export const ExpressionsSchema = z.record(z.string().min(1), ExpressionValueSchema);

export type ExpressionValue = z.output<typeof ExpressionValueSchema>;

/** EvaluateEx's FieldValue: qNumber only when the value is numeric, as the Engine sends it. */
export interface FieldValue {
  qText: string;
  qIsNumeric: boolean;
  qNumber?: number;
}

/** The text a bad expression evaluates to (Evaluate's qReturn, EvaluateEx's qText): no JSON-RPC error. */
export const badExpressionText = (detail: string) => `Error in expression: ${detail}`;

const UNKNOWN =
  "the simulator has no value for this expression (it computes no Qlik expressions; set one under expressions: in the site file or with PUT /apps/{id}/expressions)";

/** What the Engine answers for `expression` in an app with these values. The text is matched trimmed, as written. */
export function evaluateExpression(values: ReadonlyMap<string, ExpressionValue>, expression: string): FieldValue {
  const key = expression.trim();
  if (!values.has(key)) return { qText: badExpressionText(UNKNOWN), qIsNumeric: false };
  const v = values.get(key)!;
  if (v === null) return { qText: "-", qIsNumeric: false };
  if (typeof v === "number") return { qText: String(v), qIsNumeric: true, qNumber: v };
  if (typeof v === "string") return { qText: v, qIsNumeric: false };
  if ("error" in v) return { qText: badExpressionText(v.error), qIsNumeric: false };
  return v.number === null ? { qText: v.text, qIsNumeric: false } : { qText: v.text, qIsNumeric: true, qNumber: v.number };
}

export function expressionMap(values: Record<string, ExpressionValue>): Map<string, ExpressionValue> {
  return new Map(Object.entries(values).map(([k, v]) => [k.trim(), v]));
}
