// Registers the dashboard's pages on the router, hidden from the API docs. Each page declares the scope of
// the API it shows, and reads that API with the viewer's own credentials, so access matches the API's.
import { createHash } from "node:crypto";
import type { Router } from "../../platform/http/route";
import type { Scope } from "../../platform/http/types";
import { DASHBOARD_JS } from "./client-script";
import type { PageDeps, PageHandler } from "./types";

/** A page's handler, by its export in page-handlers.ts (loaded with the first page asked for). */
type PageName = keyof typeof import("./page-handlers");

const PAGES: Array<[path: string, scope: Scope, summary: string, handler: PageName]> = [
  ["/ui", "read", "Dashboard: health, recent events and deliveries", "overviewPage"],
  ["/ui/events", "read", "Dashboard: recent task and service events", "eventsPage"],
  ["/ui/events/:seq", "read", "Dashboard: one event", "eventDetailPage"],
  ["/ui/tasks/:id", "read", "Dashboard: one task's run history", "taskPage"],
  ["/ui/deliveries", "read", "Dashboard: alert deliveries", "deliveriesPage"],
  ["/ui/incidents", "read", "Dashboard: open and recently closed incidents", "incidentsPage"],
  ["/ui/causes", "read", "Dashboard: incidents per cause and what each affects", "causesPage"],
  ["/ui/silences", "read", "Dashboard: silences and the alerts they held", "silencesPage"],
  ["/ui/schedules", "schedules", "Dashboard: schedules", "schedulesPage"],
  ["/ui/kv", "kv.read", "Dashboard: key-value store browser", "kvPage"],
  ["/ui/audit", "read", "Dashboard: audit log", "auditPage"],
  ["/ui/license", "read", "Dashboard: Qlik Sense license, version and license release", "licensePage"],
  ["/ui/data-checks", "read", "Dashboard: data checks after reloads, per app", "dataChecksPage"],
  ["/ui/data-checks/:appId", "read", "Dashboard: one app's data check values", "dataCheckAppPage"],
  ["/ui/watchdog", "read", "Dashboard: what did not happen as the triggers planned, and each task's next start and usual duration", "watchdogPage"],
  ["/ui/freshness", "read", "Dashboard: the freshness promises, each app's state, data time and next deadline", "freshnessPage"],
  ["/ui/reloads", "read", "Dashboard: reloads outside the Scheduler (hub, data load editor, Engine API): who reloaded what", "reloadsPage"],
  ["/ui/report", "read", "Dashboard: the morning report now, for any span", "reportPage"],
  ["/ui/noise", "read", "Dashboard: how noisy the pages were, and the config changes proposed", "noisePage"],
  ["/ui/sessions", "admin", "Dashboard: people signed in with the company directory, and ending their sessions", "sessionsPage"],
  ["/ui/doctor", "admin", "Dashboard: every dependency tried now (the doctor)", "doctorPage"],
  ["/ui/inbox", "admin", "Dashboard: the demo's capture inbox", "inboxPage"],
  ["/ui/inbox/:id", "admin", "Dashboard: one captured message", "inboxItemPage"],
  ["/ui/login", "public", "Dashboard: enter an API key", "loginPage"],
];

// Pages that only show what Steward knows need the read scope (admin implies it); a page's buttons call the API
// with the viewer's key, so a read key sees them refused. The doctor tries servers (admin).

/**
 * Only the dashboard's own script runs (by its hash): markup that slips into a page cannot run code or steal
 * the key in sessionStorage. No framing (the schedule switches must not be clickjacked).
 */
const SECURITY_HEADERS = {
  "Content-Security-Policy": [
    "default-src 'none'",
    `script-src 'sha256-${createHash("sha256").update(DASHBOARD_JS).digest("base64")}'`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; "),
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

/** Puts the banner at the top of the page's <main> (which auto-refresh replaces, so it stays current). */
async function withBanner(page: Promise<Response>, banner: string | undefined): Promise<Response> {
  const res = await page;
  if (!banner || !res.headers.get("content-type")?.startsWith("text/html")) return res;
  const html = (await res.text()).replace(/<main data-page="[^"]*">/, (m) => `${m}${banner}`);
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(html, { status: res.status, headers });
}

export function registerDashboardRoutes(router: Router, deps: PageDeps): void {
  for (const [path, scope, summary, handler] of PAGES) {
    router.route(
      { method: "get", path, summary, tags: ["ui"], scope, hidden: true, responses: { 200: { description: "HTML page", contentType: "text/html" } } },
      (c) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
        return withBanner(
          import("./page-handlers").then((pages: Record<PageName, PageHandler>) => pages[handler](c, deps)),
          // Not on a public page (the sign-in page): the banner names servers, addresses and their errors, which
          // /ready shows only to those with a key once keys are required.
          scope === "public" ? undefined : deps.banner?.(),
        );
      },
    );
  }
  router.route(
    {
      method: "get",
      path: "/ui/",
      summary: "Dashboard (trailing slash)",
      tags: ["ui"],
      scope: "public",
      hidden: true,
      responses: { 302: { description: "to /ui" } },
    },
    (c) => c.redirect("/ui"),
  );
  // Every browser asks for it: no icon, said plainly (not a 404 in the browser's console and the access log).
  router.route(
    {
      method: "get",
      path: "/favicon.ico",
      summary: "No icon",
      tags: ["ui"],
      scope: "public",
      hidden: true,
      responses: { 204: { description: "no icon; cached for a day" } },
    },
    (c) => {
      c.header("Cache-Control", "public, max-age=86400");
      return c.body(null, 204);
    },
  );
}
