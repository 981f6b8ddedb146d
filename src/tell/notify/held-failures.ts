// The page that reaches a "page after N failures within a window" threshold lists the failures it held (issue 76):
// `heldFailures` (ISO times) and `heldText`, which the built-in templates show at the head of the history line.
import type { DomainEvent } from "../../platform/events/types";
import { ordinal } from "./history-vars";
import { type PageAfter, pageAfterFor, pageAfterState, spanWords } from "./page-after";
import type { TemplateVars } from "./template-vars-types";
import { localTimes } from "./time-format";

export function withHeldFailures(vars: TemplateVars, event: DomainEvent, routePageAfter: PageAfter | undefined, timeZone?: string): TemplateVars {
  const p = pageAfterFor(routePageAfter, event);
  const s = pageAfterState(p, event);
  if (!p || s?.state !== "reached") return vars;
  const times = s.held.map((t) => new Date(t).toISOString());
  const heldText = `Paged at the ${ordinal(s.held.length + 1)} failure within ${spanWords(p.withinMs)} (${p.from}); held before: ${times
    .map((t) => localTimes(t, timeZone).zoned)
    .join(", ")}`;
  const line = typeof vars.historyLine === "string" && vars.historyLine ? `${heldText}. ${vars.historyLine}` : heldText;
  return { ...vars, heldFailures: times, heldText, historyLine: line };
}
