/** @jsxImportSource hono/jsx */
// The page frame shared by every dashboard page: header with navigation and auto-refresh, inline CSS and JS.
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { VERSION } from "../../platform/core/version";
import { DASHBOARD_JS } from "./client-script";
import { DASHBOARD_CSS } from "./styles";
import { type PageClock, PageClockContext } from "./page-clock";
import { zoneLabel } from "../../platform/core/site-clock";
import { groupOf, type NavGroup, navGroups } from "./nav";

export interface NavState {
  active: string;
  /** The demo's capture inbox is attached. */
  inbox: boolean;
  /** The site's zone and the page's now: every <Time> on the page is shown on it, and the header names the zone. */
  clock: PageClock;
}

export function Layout(props: { title: string; nav: NavState; children?: Child }) {
  const groups = navGroups(props.nav.inbox);
  const current = groupOf(groups, props.nav.active);
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
            <nav class="sections" aria-label="Sections">
              {groups.map((g) => (
                <a
                  href={g.pages[0]!.href}
                  title={g.question}
                  data-group={g.id}
                  class={g === current ? "active" : undefined}
                  aria-current={g === current ? "true" : undefined}
                >
                  {g.label}
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
            {current ? <SubNav group={current} active={props.nav.active} /> : null}
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

/** The pages of the group the page is in, the page itself marked: every page of a group is one click away. */
function SubNav(props: { group: NavGroup; active: string }) {
  return (
    <nav class="pages" aria-label={`Pages in ${props.group.label}`}>
      {props.group.pages.map((p) => (
        <a href={p.href} data-page={p.id} class={p.id === props.active ? "active" : undefined} aria-current={p.id === props.active ? "page" : undefined}>
          {p.label}
        </a>
      ))}
    </nav>
  );
}
