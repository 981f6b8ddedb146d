// Judges a "never older than" promise for one app: during the promise's hours the app's last successful reload is
// at most maxAge old. The moment it gets older (or the hours begin with older data) is the condition's deadline: a
// breach then, a warning once the data is warnAfter old; a successful reload after that moment recovers it, once it read
// the data its Qlik chain brought (max-age-feed.ts: `app` is the app as its data's age sees it).
import type { ActiveHours } from "./active-hours";
import type { AppFreshness, Level } from "./freshness-store";

export interface MaxAgeRule {
  maxAgeMs: number;
  warnAfterMs?: number;
  hours: ActiveHours;
}

export type MaxAgeVerdict =
  | { action: "none" }
  | { action: "open"; level: Level; deadlineMs: number }
  | { action: "escalate"; deadlineMs: number }
  | { action: "close"; deadlineMs: number };

/** Fresh for a lapse at `deadlineMs`: a successful reload after the data that lapsed then. */
export const freshForLapse = (rule: MaxAgeRule, app: AppFreshness, deadlineMs: number) =>
  app.lastSuccessMs !== undefined && app.lastSuccessMs > deadlineMs - rule.maxAgeMs;

/**
 * Where the data's age counts from: its last successful reload, but never before Steward began watching the
 * promise. Data older than the watch (QRS's last reload time, read at start) is not a breach at the first look: the
 * promise is learning until one maxAge of watching has passed without a reload (no false alarm at start).
 */
export const maxAgeBase = (app: AppFreshness, sinceMs: number): number => Math.max(app.lastSuccessMs ?? sinceMs, sinceMs);

/** When the data becomes too old: maxAge after its base, at the first moment of the promise's hours from then. */
export const maxAgeDeadline = (rule: MaxAgeRule, app: AppFreshness, sinceMs: number): number | undefined =>
  rule.hours.firstActiveAtOrAfter(maxAgeBase(app, sinceMs) + rule.maxAgeMs);

export function judgeMaxAge(
  rule: MaxAgeRule,
  app: AppFreshness,
  open: { deadlineMs: number; level: Level } | undefined,
  sinceMs: number,
  nowMs: number,
  through = true,
): MaxAgeVerdict {
  if (open) {
    if (through && freshForLapse(rule, app, open.deadlineMs)) return { action: "close", deadlineMs: open.deadlineMs };
    if (open.level === "warning" && nowMs >= open.deadlineMs) return { action: "escalate", deadlineMs: open.deadlineMs };
    return { action: "none" };
  }
  // Judged during the promise's hours only; an app Steward never saw reload counts from when it began watching.
  if (!rule.hours.contains(nowMs)) return { action: "none" };
  const base = maxAgeBase(app, sinceMs);
  const deadlineMs = maxAgeDeadline(rule, app, sinceMs);
  if (deadlineMs === undefined) return { action: "none" };
  if (nowMs >= deadlineMs) return { action: "open", level: "breached", deadlineMs };
  if (rule.warnAfterMs === undefined) return { action: "none" };
  const warnAt = rule.hours.firstActiveAtOrAfter(base + rule.warnAfterMs);
  if (warnAt !== undefined && nowMs >= warnAt) return { action: "open", level: "warning", deadlineMs };
  return { action: "none" };
}
