// The one vocabulary of a promised app's freshness (issue 68): the same four states and the same words in the API
// (/v4/freshness, /v4/status), on the dashboard, on /status and the badges, in the alerts' titles, in the reports, in
// MCP's answers and in the docs. An administrator and a business reader both say "Sales is late"; "at risk" is
// what the freshness warning announces, early when the breach is already certain. The event kinds keep their names
// (app.freshness_warning announces "at risk", app.freshness_breached announces "late"): routes name them.
import type { Level } from "./freshness-store";

export const FRESHNESS_STATES = ["fresh", "at_risk", "late", "unknown"] as const;
export type FreshnessState = (typeof FRESHNESS_STATES)[number];

/** What people read for each state, everywhere. */
export const FRESHNESS_WORDS: Record<FreshnessState, string> = {
  fresh: "fresh",
  at_risk: "at risk",
  late: "late",
  unknown: "not known yet",
};

/** One line per state for the API descriptions and the docs. */
export const FRESHNESS_MEANING: Record<FreshnessState, string> = {
  fresh: "its data is as fresh as promised",
  at_risk: "not fresh yet as its deadline nears (the warning time), or certain to miss it (announced by app.freshness_warning)",
  late: "it missed its deadline, or its data is older than promised (announced by app.freshness_breached)",
  unknown: "Steward has seen no successful reload of it yet (or no promise names it)",
};

/** The state of an open condition (the store's levels stay as they are: warning, breached). */
export const stateOfLevel = (level: Level): FreshnessState => (level === "breached" ? "late" : "at_risk");

/** Late first, then at risk, not known, fresh: the order every list of promised apps is shown in. */
export const FRESHNESS_RANK: Record<FreshnessState, number> = { late: 0, at_risk: 1, unknown: 2, fresh: 3 };

/** Late or at risk: what "onlyLate" keeps and what the overview counts. */
export const isBehind = (s: string): boolean => s === "late" || s === "at_risk";
