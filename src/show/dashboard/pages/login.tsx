/** @jsxImportSource hono/jsx */
// GET /ui/login (public): where a browser user enters an API key when Steward requires one. The key stays in
// this browser tab (sessionStorage) and goes with every dashboard request as X-API-Key, like any API client's.
import { Layout } from "../layout";
import type { PageHandler } from "../types";

/**
 * Where to go after signing in: a dashboard page only. Checked after URL normalisation, as the browser will
 * resolve it: "/ui/../v4/…" would otherwise fetch an API answer with the key and render it as a page.
 */
export function safeNext(next: string | undefined): string {
  if (!next) return "/ui";
  const base = "http://steward.invalid";
  try {
    const u = new URL(next, base);
    const dashboard = u.pathname === "/ui" || u.pathname.startsWith("/ui/");
    return u.origin === base && dashboard && u.pathname !== "/ui/login" ? `${u.pathname}${u.search}` : "/ui";
  } catch {
    return "/ui";
  }
}

export const loginPage: PageHandler = async (c, { inbox, siteClock, signIn }) => {
  const target = safeNext(c.req.query("next"));
  return c.html(
    <Layout title="Sign in with an API key" nav={{ active: "login", inbox: inbox() !== undefined, clock: siteClock() }}>
      {signIn ? (
        <section class="card" style="max-width:560px">
          <p>
            <a id="sso-sign-in" class="button primary" href={`/auth/login?next=${encodeURIComponent(target)}`}>
              Sign in with {signIn.label}
            </a>
          </p>
          <p class="small muted">People sign in with the company directory; the key below is for administrators when the directory is away.</p>
        </section>
      ) : null}
      <section class="card" style="max-width:560px">
        <p>
          This Steward requires credentials. Paste an API key with the <b>admin</b> scope (or the scopes of the pages you need). It is kept in this browser tab
          only and sent as <span class="mono">X-API-Key</span>, exactly as API clients send it.
        </p>
        <form id="login" data-next={target} class="toolbar">
          <input type="password" name="key" id="api-key" placeholder="API key" autocomplete="off" size={44} required />
          <button type="submit" class="primary">
            Open dashboard
          </button>
        </form>
        <p class="small muted">Client certificates work without this page. Create keys with `steward apikey create`.</p>
      </section>
    </Layout>,
  );
};
