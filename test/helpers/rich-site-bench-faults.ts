// The faults a bench of the rich site runs: the rich site's own (test/helpers/rich-site-faults.ts), or one pause of
// a node's Scheduler whose missed starts time the watchdog's alert. Both processes of a split bench build the same list.
import type { RichTask } from "./rich-site";
import { type Fault, richSiteFaults } from "./rich-site-faults";

/** Reload01's Scheduler paused on the first Monday, 13:00-15:00 Stockholm time: its hourly and quarter-hour tasks miss starts. */
export const schedulerPause: Fault = {
  name: "the scheduler paused on Reload01",
  at: Date.parse("2026-03-23T12:00:00Z"),
  apply: [{ nodeDown: "Reload01" }],
  revertAt: Date.parse("2026-03-23T14:00:00Z"),
  revert: [{ nodeUp: "Reload01" }],
  explainsTasks: [],
  explainsUntil: 0,
  expects: [],
};

/** `rich`: the rich site's faults that fall within `hours` of `start`; anything else: the one pause. */
export function benchFaults(kind: string, tasks: RichTask[], start: number, hours: number): Fault[] {
  return kind === "rich" ? richSiteFaults(tasks, start, Math.ceil(hours / 24)) : [schedulerPause];
}
