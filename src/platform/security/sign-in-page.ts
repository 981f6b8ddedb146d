// The page a browser gets instead of a JSON refusal when it opens the business status page (/status) without a key
// that opens it: what is needed, a form for the key when /status takes one in the query string
// (security.queryKey), and the way to the dashboard's sign-in. API clients keep the JSON answer.
import type { Context } from "hono";
import type { HttpEnv } from "../http/types";

/** A browser's navigation to the status page: GET or HEAD of /status, asking for HTML. */
export function wantsStatusPage(c: Context<HttpEnv>): boolean {
  const method = c.req.method;
  if ((method !== "GET" && method !== "HEAD") || c.req.path !== "/status") return false;
  return (c.req.header("accept") ?? "").includes("text/html");
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** `queryParam`: the query parameter /status takes a key in, when security.queryKey lists GET /status. */
export function statusSignInPage(reason: string, status: 401 | 403, queryParam: string | undefined): string {
  const form = queryParam
    ? `<form method="get" action="/status"><label>API key (scope <b>status</b> or <b>read</b>) <input type="password" name="${escapeHtml(queryParam)}" autocomplete="off" size="44" required></label> <button type="submit">Show the status</button></form>`
    : "<p>Open this page with the link your Qlik administrators gave you, or from an address they let in.</p>";
  const title = status === 401 ? "Sign in to see the status" : "The status is not open to you here";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Steward</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#eee;padding:0 .2rem}</style></head>
<body><h1>${title}</h1>
<p>This Steward requires credentials for its status page: ${escapeHtml(reason)}.</p>
${form}
<p>Qlik administrators: <a href="/ui/login">sign in to the dashboard</a>, or see <code>security.statusAccess</code> in the documentation to open this page to the business.</p>
</body></html>
`;
}
