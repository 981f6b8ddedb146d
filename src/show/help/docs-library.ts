// The documentation as pages: rendered once on first use (not at start: most Stewards never serve /help), with
// links between pages rewritten to the served form, and a plain-text search over every page. The embedded pages
// (about 600 KB of text) are imported with the first /help request, not at start (loadEmbeddedDocs).
import { type LinkRewriter, type RenderedDoc, renderMarkdown } from "./markdown";

export interface DocPage extends RenderedDoc {
  slug: string;
}

export interface SearchHit {
  slug: string;
  title: string;
  /** The heading the best match sits under, for a link straight to it. */
  anchor?: string;
  snippet: string;
  score: number;
}

/** How a doc link is written: /help/<slug> when Steward serves it, <slug>.html in the static site. */
export type PageHref = (slug: string, anchor?: string) => string;

// The index is /help itself: /help/ is no route (it answered 404 from every page's header and page list).
export const servedHref: PageHref = (slug, anchor) => `/help${slug === "README" ? "" : `/${slug}`}${anchor ? `#${anchor}` : ""}`;

function rewriter(href: PageHref): LinkRewriter {
  return (target) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("/")) return target;
    if (target.startsWith("#")) return target;
    const m = /^(?:\.\/)?(?:docs\/)?([\w-]+)\.md(?:#(.*))?$/.exec(target);
    if (m) return href(m[1]!, m[2]);
    // ../README.md: the repository's own README is the docs index here.
    if (/^\.\.\/README\.md/.test(target)) return href("README");
    // Any other file (../config/full.yaml, examples/*.html) is not among the pages: named by its repository path.
    const path = target.replace(/#.*$/, "");
    return { file: path.startsWith("../") ? path.slice(3) : `docs/${path.replace(/^\.\//, "")}` };
  };
}

export interface DocsLibrary {
  slugs(): string[];
  page(slug: string): DocPage | undefined;
  search(query: string, limit?: number): SearchHit[];
}

/** The library of the docs embedded in the binary; the import is literal, so the compiled binary holds the pages. */
export async function loadEmbeddedDocs(href: PageHref = servedHref): Promise<DocsLibrary> {
  const { EMBEDDED_DOCS } = await import("./embedded-docs");
  return createDocsLibrary(EMBEDDED_DOCS, href);
}

/** The pages' Markdown as written (the assistants read it as resources). */
export async function embeddedDocSources(): Promise<Readonly<Record<string, string>>> {
  return (await import("./embedded-docs")).EMBEDDED_DOCS;
}

export function createDocsLibrary(sources: Readonly<Record<string, string>>, href: PageHref = servedHref): DocsLibrary {
  let pages: Map<string, DocPage> | undefined;
  const all = () => {
    pages ??= new Map(
      Object.entries(sources).map(([slug, md]) => {
        const doc = renderMarkdown(md, rewriter(href));
        return [slug, { ...doc, slug, title: doc.title || slug }];
      }),
    );
    return pages;
  };
  return {
    slugs: () => [...all().keys()],
    page: (slug) => all().get(slug),
    search(query, limit = 20) {
      const words = query
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w.length > 1)
        .slice(0, 8);
      if (words.length === 0) return [];
      const hits: SearchHit[] = [];
      for (const page of all().values()) {
        const lower = page.text.toLowerCase();
        if (!words.every((w) => lower.includes(w))) continue;
        const title = page.title.toLowerCase();
        let score = 0;
        for (const w of words) {
          score += title.includes(w) ? 20 : 0;
          score += page.headings.some((h) => h.text.toLowerCase().includes(w)) ? 5 : 0;
          score += Math.min(10, countOf(lower, w));
        }
        const at = lower.indexOf(words[0]!);
        const snippet = snippetAround(page.text, at);
        const heading = page.headings.find((h) => h.level > 1 && h.text.toLowerCase().includes(words[0]!));
        hits.push({ slug: page.slug, title: page.title, ...(heading ? { anchor: heading.id } : {}), snippet, score });
      }
      return hits.sort((a, b) => b.score - a.score || a.slug.localeCompare(b.slug)).slice(0, limit);
    },
  };
}

function countOf(text: string, word: string): number {
  let n = 0;
  for (let at = text.indexOf(word); at !== -1 && n < 50; at = text.indexOf(word, at + word.length)) n++;
  return n;
}

/** About 240 characters around `at`, starting and ending on whole words, with "…" where the text goes on. */
export function snippetAround(text: string, at: number, before = 80, after = 160): string {
  let from = Math.max(0, at - before);
  let to = Math.min(text.length, at + after);
  if (from > 0) {
    const space = text.slice(from, at).search(/\s/);
    from = space === -1 ? at : from + space + 1;
  }
  if (to < text.length) {
    const tail = text.slice(at, to);
    const last = Math.max(tail.lastIndexOf(" "), tail.lastIndexOf("\n"));
    if (last > 0) to = at + last;
  }
  const body = text.slice(from, to).replace(/\s+/g, " ").trim();
  return `${from > 0 ? "… " : ""}${body}${to < text.length ? " …" : ""}`;
}
