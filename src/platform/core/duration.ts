// Durations in the notification config ("30s", "5m", "1h30m", "7d"): parsed once into milliseconds.
import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/;
/** WHOLE as JSON Schema text: editors flag a malformed duration, and the config reference names the type. */
export const DURATION_PATTERN = WHOLE.source;

/** Milliseconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!WHOLE.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** Short human form of a millisecond count, for messages ("5m", "1h30m", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const out: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return out.join("");
}

/** A duration in YAML: "30s", "5m", "2h", "1d", "1h30m", "500ms" → milliseconds. */
export const DurationSchema = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: 'expected a duration like "30s", "5m", "2h" or "1d"' })
  .transform((s) => parseDuration(s)!)
  // For editors (the JSON Schema) and the config reference, which calls such a key a duration.
  .meta({ pattern: DURATION_PATTERN });
