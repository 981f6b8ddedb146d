// The banner every dashboard page shows while a maintenance window is active: escaped HTML, inserted by the
// dashboard's page wrapper.
import type { Occurrence } from "./windows";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `formatTime`: the end on the site's clock, as every time on the dashboard. */
export function maintenanceBanner(active: readonly Occurrence[], formatTime: (ms: number) => string): string | undefined {
  if (active.length === 0) return undefined;
  const items = active.map(
    (o) =>
      `<b>${esc(o.window)}</b>${o.reason ? ` (${esc(o.reason)})` : ""}: ${esc(o.scope)} until <time datetime="${new Date(o.endsAt).toISOString()}">${esc(formatTime(o.endsAt))}</time>`,
  );
  return `<div class="notice maintenance-banner" role="status">Maintenance window active, alerts held: ${items.join("; ")}.</div>`;
}
