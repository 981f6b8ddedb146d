// What Qlik's `metadata.disabledCode` says about who or what disabled a Scheduling Task (the values of Qlik's
// TaskMetadata type), in words for a page. A code Steward does not know is quoted as Qlik gives it, never guessed at.

/** Codes that say Qlik itself disabled the task (every code but MANUALLY). */
const REASONS: Record<string, string> = {
  "CONSECUTIVE-FAILURES": "Qlik disabled it after consecutive failures",
  "APP-SCRIPT-UPDATED": "Qlik disabled it because the app's load script was changed",
  "OWNER-DELETED": "Qlik disabled it because its owner was deleted",
  "OWNER-DISABLED": "Qlik disabled it because its owner was disabled",
  "OWNER-MOVED": "Qlik disabled it because its owner changed",
  "APP-MOVED-SPACE": "Qlik disabled it because its app was moved to another space",
  "SCHEDULE-EXPIRED": "Qlik disabled it because its schedule had ended (a task migrated from a reload task)",
};

/** The same, short, for an alert's title. */
const SHORT: Record<string, string> = {
  "CONSECUTIVE-FAILURES": "Qlik disabled it after consecutive failures",
  "APP-SCRIPT-UPDATED": "disabled by Qlik: the app's script was changed",
  "OWNER-DELETED": "disabled by Qlik: its owner was deleted",
  "OWNER-DISABLED": "disabled by Qlik: its owner was disabled",
  "OWNER-MOVED": "disabled by Qlik: its owner changed",
  "APP-MOVED-SPACE": "disabled by Qlik: its app moved space",
  "SCHEDULE-EXPIRED": "disabled by Qlik: its schedule ended",
};

/** A title's words for a code Qlik set (any but MANUALLY). */
export function disabledCodeWords(code: string): string {
  return SHORT[code] ?? `disabled by Qlik, reason ${code}`;
}

/** Who disabled it by the code: a person (MANUALLY), Qlik (with why), or unknown (no code: an older answer). */
export function disabledBy(code: string | undefined): { by: "person" } | { by: "qlik"; reason: string } | { by: "unknown" } {
  if (!code) return { by: "unknown" };
  if (code === "MANUALLY") return { by: "person" };
  return { by: "qlik", reason: REASONS[code] ?? `Qlik disabled it (its reason code is ${code}, one Steward does not know)` };
}
