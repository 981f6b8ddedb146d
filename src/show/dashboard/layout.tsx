/** @jsxImportSource hono/jsx */
// The page frame shared by every dashboard page: header with navigation and auto-refresh, inline CSS and JS.
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { VERSION } from "../../platform/core/version";
import { DASHBOARD_JS } from "./client-script";
import { DASHBOARD_CSS } from "./styles";
import { type PageClock, PageClockContext } from "./page-clock";
import { zoneLabel } from "../../platform/core/site-clock";

export interface NavState {
  active: string;
  /** The demo's capture inbox is attached. */
  inbox: boolean;
  /** The site's zone and the page's now: every <Time> on the page is shown on it, and the header names the zone. */
  clock: PageClock;
}

const NAV: Array<[id: string, href: string, label: string]> = [
  ["overview", "/ui", "Overview"],
  ["events", "/ui/events", "Events"],
  ["deliveries", "/ui/deliveries", "Deliveries"],
  ["incidents", "/ui/incidents", "Incidents"],
  ["causes", "/ui/causes", "Causes"],
  ["silences", "/ui/silences", "Silences"],
  ["schedules", "/ui/schedules", "Schedules"],
  ["kv", "/ui/kv", "Key-value"],
  ["audit", "/ui/audit", "Audit log"],
  ["license", "/ui/license", "License"],
  ["data-checks", "/ui/data-checks", "Data checks"],
  ["watchdog", "/ui/watchdog", "Watchdog"],
  ["freshness", "/ui/freshness", "Freshness"],
  ["doctor", "/ui/doctor", "Doctor"],
];

export function Layout(props: { title: string; nav: NavState; children?: Child }) {
  const items = props.nav.inbox ? [...NAV, ["inbox", "/ui/inbox", "Inbox"] as [string, string, string]] : NAV;
  // The doctype keeps browsers in standards mode (without it they render the page in quirks mode).
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en" data-site-tz={props.nav.clock.zone}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · Steward`}</title>
          <style>{raw(DASHBOARD_CSS)}</style>
        </head>
        <body>
          <header>
            <a class="brand" href="/ui">
              Steward<small>{VERSION}</small>
            </a>
            <nav>
              {items.map(([id, href, label]) => (
                <a href={href} class={id === props.nav.active ? "active" : undefined}>
                  {label}
                </a>
              ))}
              <a href="/help" class="help" title="Steward's documentation, served by this Steward">
                Help
              </a>
            </nav>
            <span class="zone" id="page-zone" title="Every time on these pages is in the site's zone (notify.timeZone)">
              {`Times in ${zoneLabel(props.nav.clock.zone, props.nav.clock.nowMs)}`}
            </span>
            <label title="Reload this page's data every 5 seconds">
              <input type="checkbox" id="autorefresh" checked /> auto-refresh
            </label>
          </header>
          <PageClockContext.Provider value={props.nav.clock}>
            <main data-page={props.nav.active}>
              <h1>{props.title}</h1>
              {props.children}
            </main>
          </PageClockContext.Provider>
          <div id="toast" role="status" aria-live="polite"></div>
          <script>{raw(DASHBOARD_JS)}</script>
        </body>
      </html>
    </>
  );
}
