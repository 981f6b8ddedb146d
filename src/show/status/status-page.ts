// The page /status an administrator may show users: every promised app by stream, its state and "data as of", in
// plain HTML that refreshes itself each minute. Every text is escaped; no script, no link to anything else.
import type { AppStatus } from "./app-status";
import { localClock } from "./badge";

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOUR = { fresh: "#2e7d32", late: "#b45309", failed: "#b3261e", unknown: "#6b7280" } as const;

export function statusPage(statuses: readonly AppStatus[], timeZone: string, nowMs: number): string {
  const promised = statuses.filter((s) => s.state !== "unknown");
  const streams = new Map<string, AppStatus[]>();
  for (const s of promised) {
    const k = s.app.stream ?? "(not published)";
    streams.set(k, [...(streams.get(k) ?? []), s]);
  }
  const rows = (apps: AppStatus[]) =>
    apps
      .sort((a, b) => a.app.name.localeCompare(b.app.name))
      .map(
        (s) =>
          `<tr data-app="${html(s.app.id)}" data-state="${s.state}"><td>${html(s.app.name)}</td><td><span style="background:${COLOUR[s.state]};color:#fff;padding:1px 8px;border-radius:3px">${s.state}</span></td><td>${s.dataAsOf ? html(localClock(s.dataAsOf, timeZone, nowMs)) : "—"}</td><td>${s.state !== "fresh" && s.expectedAt ? `expected about ${html(localClock(s.expectedAt, timeZone, nowMs))}` : ""}</td></tr>`,
      )
      .join("");
  const sections = [...streams.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stream, apps]) => `<h2>${html(stream)}</h2><table><tr><th>App</th><th>State</th><th>Data as of</th><th></th></tr>${rows(apps)}</table>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60"><title>Is the data up to date?</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 12px;text-align:left}</style></head><body><h1>Is the data up to date?</h1>${sections || "<p>No app has a freshness promise.</p>"}<p><small>Times in ${html(timeZone)}. Refreshes every minute.</small></p></body></html>`;
}
