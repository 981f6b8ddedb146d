// Which refusals a browser gets as a page: a dashboard page is sent to sign in (middleware.ts), and the business
// status page (/status) opened without a key that opens it gets one in the words of the people who read the status:
// what the page is, and what they can do (the link their Qlik team gave them, a key when the page takes one in the
// address, signing in with the company directory, or asking for the page to be opened to their network). No scope, no
// config key, no reason meant for an administrator: those are in the audit log, the JSON answer and docs/status.md.
// API clients keep the JSON answer.
import type { Context } from "hono";
import type { HttpEnv } from "../http/types";

/** A browser's navigation to the status page: GET or HEAD of /status, asking for HTML. */
export function wantsStatusPage(c: Context<HttpEnv>): boolean {
  const method = c.req.method;
  if ((method !== "GET" && method !== "HEAD") || c.req.path !== "/status") return false;
  return (c.req.header("accept") ?? "").includes("text/html");
}

/** A browser's navigation to a dashboard page: GET or HEAD of /ui or /ui/…, asking for HTML. */
export function wantsDashboardPage(c: Context<HttpEnv>): boolean {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD") return false;
  const path = c.req.path;
  if (path !== "/ui" && !path.startsWith("/ui/")) return false;
  return (c.req.header("accept") ?? "").includes("text/html");
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export interface SignInPageInput {
  status: 401 | 403;
  /** The refusal's check: "statusAccess" when the reader's network is not one the page is open to. */
  check: string;
  /** The reader's address as Steward saw it (to tell the Qlik team). */
  ip?: string;
  /** The query parameter /status takes a key in, when security.queryKey lists GET /status. */
  queryParam?: string;
  /** Single sign-on's label (security.sso.label): the page offers "Sign in with <label>". */
  ssoLabel?: string;
}

export function statusSignInPage(i: SignInPageInput): string {
  const network = i.status === 403 && i.check === "statusAccess";
  const form = i.queryParam
    ? `<form method="get" action="/status"><label>Access key <input type="password" name="${escapeHtml(i.queryParam)}" autocomplete="off" size="44" required></label> <button type="submit">Show the status</button></form>`
    : "";
  const title = i.status === 401 ? "Sign in to see the status" : "The status is not open to you here";
  const what = network
    ? `<p>This page is open to some networks only, and not to the one you are on${i.ip ? ` (your address: ${escapeHtml(i.ip)})` : ""}. Ask your Qlik team for a link, or to open the page to your network.</p>`
    : i.status === 403
      ? "<p>The key you used does not open this page. Ask your Qlik team for a link to it.</p>"
      : `<p>Open this page with the link your Qlik team gave you${i.queryParam ? ", or enter the access key they gave you" : ""}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Steward</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><h1>${title}</h1>
<p>This page tells whether the Qlik Sense apps are up to date, and when they will be.</p>
${what}
${i.ssoLabel && i.status === 401 ? `<p><a href="/auth/login?next=%2Fstatus">Sign in with ${escapeHtml(i.ssoLabel)}</a></p>` : ""}
${form}
<p><small><a href="/ui/login">Qlik administrators: sign in to the dashboard</a></small></p>
</body></html>
`;
}
