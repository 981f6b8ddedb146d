// GET /help, /help/<page> and /help/search: Steward's own documentation, served offline from the binary, so the
// admin on a Qlik server without internet reads the docs of the very version that runs.
import type { Context } from "hono";
import { z } from "zod";
import type { Router } from "../../platform/http/route";
import { type DocsLibrary, loadEmbeddedDocs, servedHref } from "./docs-library";
import { helpLayout, searchResultsHtml } from "./help-page";

const HELP_HEADERS = {
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

const html = { 200: { description: "HTML page", contentType: "text/html" } } as const;

/** `library` defaults to the embedded docs, imported with the first request (most Stewards never serve /help). */
export function registerHelpRoutes(router: Router, library?: DocsLibrary): void {
  let loading: Promise<DocsLibrary> | undefined;
  const docs = () => (library ? Promise.resolve(library) : (loading ??= loadEmbeddedDocs()));
  const render = (c: Context, library: DocsLibrary, slug: string) => {
    for (const [k, v] of Object.entries(HELP_HEADERS)) c.header(k, v);
    const page = library.page(slug);
    if (!page) {
      c.status(404);
      return c.html(
        helpLayout({
          library,
          href: servedHref,
          title: "Not found",
          searchAction: "/help/search",
          body: `<h1>No such page</h1><p>Pick a page on the left, or search.</p>`,
        }),
      );
    }
    return c.html(helpLayout({ library, href: servedHref, current: slug, title: page.title, body: page.html, searchAction: "/help/search" }));
  };
  router.route(
    { method: "get", path: "/help", summary: "Steward's documentation (HTML), served from the binary", tags: ["docs"], scope: "public", responses: html },
    async (c) => render(c, await docs(), "README"),
  );
  router.route(
    {
      method: "get",
      path: "/help/search",
      summary: "Search the documentation",
      tags: ["docs"],
      scope: "public",
      query: z.object({ q: z.string().max(200, "at most 200 characters").default("") }),
      responses: html,
    },
    async (c, { query }) => {
      const library = await docs();
      for (const [k, v] of Object.entries(HELP_HEADERS)) c.header(k, v);
      return c.html(
        helpLayout({
          library,
          href: servedHref,
          title: `Search: ${query.q}`,
          query: query.q,
          body: searchResultsHtml(library, servedHref, query.q),
          searchAction: "/help/search",
        }),
      );
    },
  );
  router.route(
    {
      method: "get",
      path: "/help/:page",
      summary: "One documentation page",
      tags: ["docs"],
      scope: "public",
      params: z.object({ page: z.string().regex(/^[\w-]{1,80}$/, "a page name such as watchdog") }),
      responses: { ...html, 404: { description: "No such page", contentType: "text/html" } },
    },
    async (c, { params }) => render(c, await docs(), params.page),
  );
}
