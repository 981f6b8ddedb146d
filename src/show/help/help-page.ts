// The HTML around a help page: the page list, a search box and the page itself. No script: search is a plain
// form the server answers, so the strict content security policy of the dashboard applies unchanged.
import { VERSION } from "../../platform/core/version";
import type { DocsLibrary, PageHref } from "./docs-library";

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const STYLE = `body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#fff}
header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.6rem 1.2rem;background:#1d2330;color:#fff}
header a{color:#fff;text-decoration:none;font-weight:600}header form{margin-left:auto}
header input{padding:.3rem .5rem;border-radius:4px;border:0;min-width:16rem}
.wrap{display:flex;align-items:flex-start}nav{flex:0 0 15rem;padding:1rem;border-right:1px solid #e3e6ec;font-size:14px}
nav a{display:block;padding:.15rem 0;color:#2a5db0;text-decoration:none}nav a[aria-current]{font-weight:700;color:#1d2330}
main{flex:1;min-width:0;max-width:60rem;padding:1rem 2rem 4rem}pre{background:#f4f6f9;padding:.7rem;overflow:auto;border-radius:4px}
code{background:#f4f6f9;padding:0 .2rem;border-radius:3px;font-size:.92em}pre code{padding:0;background:none}
table{border-collapse:collapse;margin:1rem 0;display:block;overflow:auto}th,td{border:1px solid #d8dce4;padding:.3rem .5rem;text-align:left;vertical-align:top}
blockquote{margin:0;padding:.1rem 1rem;border-left:4px solid #d8dce4;color:#454d5c}.hit{margin:1rem 0}.hit p{margin:.2rem 0;color:#454d5c}
@media (max-width:800px){.wrap{display:block}nav{border:0;border-bottom:1px solid #e3e6ec}}`;

export function helpLayout(o: {
  library: DocsLibrary;
  href: PageHref;
  current?: string;
  title: string;
  body: string;
  query?: string;
  searchAction: string;
}): string {
  const links = o.library
    .slugs()
    .map((slug) => ({ slug, title: o.library.page(slug)!.title }))
    .sort((a, b) => (a.slug === "README" ? -1 : b.slug === "README" ? 1 : a.title.localeCompare(b.title)))
    .map((p) => `<a href="${escapeHtml(o.href(p.slug))}"${p.slug === o.current ? ' aria-current="page"' : ""}>${escapeHtml(p.title)}</a>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.title)} · Steward help</title><style>${STYLE}</style></head><body>
<header><a href="${escapeHtml(o.href("README"))}">Steward help</a><span>version ${escapeHtml(VERSION)}</span>
<form action="${escapeHtml(o.searchAction)}" method="get" role="search"><input type="search" name="q" aria-label="Search the help" placeholder="Search the help" value="${escapeHtml(o.query ?? "")}"></form></header>
<div class="wrap"><nav aria-label="Help pages">${links}</nav><main>${o.body}</main></div></body></html>`;
}

export function searchResultsHtml(library: DocsLibrary, href: PageHref, query: string): string {
  const hits = library.search(query);
  const list = hits
    .map((h) => `<div class="hit"><a href="${escapeHtml(href(h.slug, h.anchor))}">${escapeHtml(h.title)}</a><p>${escapeHtml(h.snippet)}</p></div>`)
    .join("");
  return `<h1>Search: ${escapeHtml(query)}</h1>${hits.length ? list : "<p>No page has all of these words. Try fewer or other words.</p>"}`;
}
