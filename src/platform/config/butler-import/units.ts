// Butler's time settings in Steward's duration text: `later` schedules ("every 30 seconds") and rate limits in
// seconds.
import { formatDuration } from "../../core/duration";

const UNIT: Record<string, string> = { second: "s", sec: "s", minute: "m", min: "m", hour: "h", day: "d" };

/** "every 30 seconds" → "30s", "every 1 hour" → "1h"; undefined for anything `later` can say beyond that. */
export function laterToDuration(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^\s*every\s+(\d+)\s*(second|sec|minute|min|hour|day)s?\s*$/i.exec(text);
  return m ? `${Number(m[1])}${UNIT[m[2]!.toLowerCase()]}` : undefined;
}

/** Butler's rate limits are seconds. */
export function secondsToDuration(seconds: unknown): string | undefined {
  return typeof seconds === "number" && seconds > 0 ? formatDuration(seconds * 1000) : undefined;
}
