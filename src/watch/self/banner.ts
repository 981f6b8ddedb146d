// The banner every dashboard page shows while Steward is degraded: what fails, since when, and what to do.
import type { DegradedState } from "./degraded";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function degradedBanner(state: DegradedState, formatTime: (ms: number) => string): string | undefined {
  if (!state.degraded) return undefined;
  const items = state.problems.map((p) => `<li><b>${esc(p.component)}</b> since ${esc(formatTime(p.since))}: ${esc(p.detail)}<br>${esc(p.fix)}</li>`);
  return `<div class="notice degraded-banner" role="alert">Steward is degraded: it cannot do all of its job. <a href="/ui/doctor">Doctor</a> · <a href="/ready">/ready</a><ul>${items.join("")}</ul></div>`;
}
