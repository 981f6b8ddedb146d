// The page /status an administrator may show users: every promised app by stream, its state in the one vocabulary
// (fresh, at risk, late, not known yet), "data as of", and for each promise when the app is now expected to be fresh
// or that the deadline will be missed and why, in plain HTML that refreshes itself each minute. Every time is on the
// site's clock, named at the top; every text is escaped; no script. With status.subscriptions, each app offers a form
// to be told by mail when it will be late and when it is fresh again; the Atom feed of the same is linked.
import { clockText, zonedParts, zoneLabel } from "../../platform/core/site-clock";
import { FRESHNESS_WORDS } from "../../watch/freshness/states";
import type { AppStatus, PromiseStatus } from "./app-status";
import { STATE_COLOUR } from "./badge";
import { recordCell } from "./record-html";

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface StatusPageOptions {
  /** The page's query string ("?apiKey=…" or ""), kept on its form and links. */
  search?: string;
  /** Offer each app's subscription (status.subscriptions). */
  subscribe?: boolean;
  /** Link the Atom feed. */
  feed?: boolean;
  /** Planned work told ahead, by app id: "Sales dashboard may be late on Friday: planned work 05:00–06:00 …". */
  planned?: ReadonlyMap<string, readonly string[]>;
}

/** A link to the app's subscription form (a page of its own: this one reloads each minute, losing what was typed). */
function subscribeLink(s: AppStatus, search: string): string {
  const q = `${search ? `${search}&` : "?"}appId=${encodeURIComponent(s.app.id)}`;
  return `<div data-subscribe><small><a href="/status/subscribe${html(q)}">Mail me when ${html(s.app.name)} will be late</a></small></div>`;
}

export function statusPage(statuses: readonly AppStatus[], timeZone: string, nowMs: number, options: StatusPageOptions = {}): string {
  const search = options.search ?? "";
  /** A time in the zone the page names: "06:12" today, "Tue 24 Nov 06:12" another day; the instant in datetime. */
  const time = (iso: string, zoned = false) => {
    const ms = Date.parse(iso);
    const text = `${clockText(ms, timeZone, nowMs)}${zoned ? ` ${zonedParts(ms, timeZone).abbr}` : ""}`;
    return `<time datetime="${html(new Date(ms).toISOString())}">${html(text)}</time>`;
  };
  const projection = (s: AppStatus, p: PromiseStatus) => {
    const expected = p.expectedAt
      ? p.overdue
        ? `overdue: it was expected at about ${time(p.expectedAt, true)}`
        : `expected fresh at about ${time(p.expectedAt, true)}`
      : s.state === "fresh"
        ? ""
        : "when it will be fresh is not known yet";
    // A "never older than" promise: when its data is (or was) too old, counted through its chain.
    const miss = p.maxAge
      ? `older than promised from ${time(p.promisedBy, true)}${p.willMiss ? `: ${html(p.willMiss)}` : ""}`
      : p.willMiss
        ? `will not be fresh by ${time(p.promisedBy, true)}: ${html(p.willMiss)}`
        : `promised by ${time(p.promisedBy, true)}`;
    return `<div data-projection>${miss}${expected ? `; ${expected}` : ""}</div>`;
  };
  const when = (s: AppStatus) => {
    if (s.promises.length > 0) return s.promises.map((p) => projection(s, p)).join("");
    if (s.state === "fresh" || s.state === "unknown") return "";
    // No current projection (the judging Steward has not looked lately): what the alert expected, overdue once past.
    if (!s.expectedAt) return "when it will be fresh is not known yet";
    return Date.parse(s.expectedAt) < nowMs
      ? `<div data-projection>overdue: it was expected at about ${time(s.expectedAt, true)}</div>`
      : `<div data-projection>expected fresh at about ${time(s.expectedAt, true)}</div>`;
  };
  const promised = statuses.filter((s) => s.promised);
  // The record's column, when any app has a "fresh by" promise to keep.
  const withRecord = promised.some((s) => (s.records?.length ?? 0) > 0);
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
          `<tr data-app="${html(s.app.id)}" data-state="${s.state}"><td>${html(s.app.name)}</td><td><span style="background:${STATE_COLOUR[s.state]};color:#fff;padding:1px 8px;border-radius:3px;white-space:nowrap">${FRESHNESS_WORDS[s.state]}</span>${s.loadFailed ? "<div><small>a load failed</small></div>" : ""}</td><td>${s.dataAsOf ? time(s.dataAsOf) : "—"}</td><td>${when(s)}${(options.planned?.get(s.app.id) ?? []).map((t) => `<div data-planned>${html(t)}</div>`).join("")}${options.subscribe ? subscribeLink(s, search) : ""}</td>${withRecord ? `<td>${recordCell(s.records, s.records?.length ?? 0)}</td>` : ""}</tr>`,
      )
      .join("");
  const sections = [...streams.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([stream, apps]) =>
        `<h2>${html(stream)}</h2><table><tr><th>App</th><th>State</th><th>Data as of</th><th>When</th>${withRecord ? "<th>On time?</th>" : ""}</tr>${rows(apps)}</table>`,
    )
    .join("");
  const zone = html(zoneLabel(timeZone, nowMs));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60">${options.feed ? `<link rel="alternate" type="application/atom+xml" title="Is the data up to date?" href="/status/feed.atom${html(search)}">` : ""}<title>Is the data up to date?</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 12px;text-align:left;vertical-align:top}</style></head><body><h1>Is the data up to date?</h1><p id="page-zone">Times in ${zone}.</p>${sections || "<p>No app has a freshness promise.</p>"}<p><small>Refreshes every minute.${options.feed ? ` <a href="/status/feed.atom${html(search)}" type="application/atom+xml">Follow in a feed reader (Atom)</a>` : ""}</small></p></body></html>`;
}
