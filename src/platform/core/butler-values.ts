// Scalars in the forms Butler's clients send them. Butler's load-script subs build every body as text, so
// booleans arrive as "true"/"false", numbers as "60000" and an empty TTL column as "" (Butler's Fastify coerced
// them all). Every Butler-compatible body reads its scalars through these schemas.
import { z } from "zod";

const TRUE = new Set(["true", "1"]);
const FALSE = new Set(["false", "0"]);

/** true/false, "true"/"false" (any case, spaces around ignored), 1/0 and "1"/"0". */
export const butlerBoolean = z.union([z.boolean(), z.literal(0), z.literal(1), z.string()]).transform((v, ctx) => {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1;
  const t = v.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  ctx.addIssue({ code: "custom", message: `expected true or false, got ${JSON.stringify(v.slice(0, 40))}` });
  return z.NEVER;
});

/** A whole number, or its text ("2", " 60000 "). */
export const butlerInteger = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : v.trim() === "" ? Number.NaN : Number(v.trim());
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: "custom", message: `expected a whole number, got ${JSON.stringify(typeof v === "string" ? v.slice(0, 40) : v)}` });
    return z.NEVER;
  }
  return n;
});

/**
 * A TTL in milliseconds as Butler took it: a number or its text; "" or null (an empty TTL column) is 0. The
 * value stays as given (Butler echoed it); `storedTtl` turns it into what the store keeps.
 */
export const butlerTtl = z.union([z.number(), z.string(), z.null()]).transform((v, ctx) => {
  if (v === null) return 0;
  const n = typeof v === "number" ? v : v.trim() === "" ? 0 : Number(v.trim());
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `expected milliseconds (a number), got ${JSON.stringify(typeof v === "string" ? v.slice(0, 40) : v)}` });
    return z.NEVER;
  }
  return Math.trunc(n);
});

/** Butler kept a key with a zero or negative TTL for ever: both mean "never expires" (0). */
export function storedTtl(ttl: number | undefined): number {
  return ttl !== undefined && ttl > 0 ? ttl : 0;
}

/** A string; a number or boolean is taken as its text (42 → "42"), as Butler's Fastify did. */
export const butlerText = z
  // The union's own message is only "Invalid input": a load script's author needs to read which of two it was.
  .union([z.string(), z.number(), z.boolean()], {
    error: (iss) =>
      iss.input === undefined
        ? "required"
        : `expected text, a number or true/false, got ${iss.input === null ? "null" : Array.isArray(iss.input) ? "a list" : "an object"}`,
  })
  .transform((v) => String(v));
