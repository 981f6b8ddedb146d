// The docs as a static site for the release folder (docs/index.html and one page per doc), rendered by the same
// code as Steward's /help, with a search page that works from a file share or a plain web server.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDocsLibrary, type PageHref } from "../src/show/help/docs-library";
import { EMBEDDED_DOCS } from "../src/show/help/embedded-docs";
import { escapeHtml, helpLayout } from "../src/show/help/help-page";

const fileHref: PageHref = (slug, anchor) => `${slug === "README" ? "index" : slug}.html${anchor ? `#${anchor}` : ""}`;

/** Writes the site into `outDir` and returns the number of pages. */
export function writeDocsSite(outDir: string): number {
  const library = createDocsLibrary(EMBEDDED_DOCS, fileHref);
  mkdirSync(outDir, { recursive: true });
  for (const slug of library.slugs()) {
    const page = library.page(slug)!;
    writeFileSync(
      join(outDir, fileHref(slug)),
      helpLayout({ library, href: fileHref, current: slug, title: page.title, body: page.html, searchAction: "search.html" }),
    );
  }
  // Titles, headings and text of every page, searched in the browser: a static site has no server to ask.
  const index = library.slugs().map((slug) => {
    const p = library.page(slug)!;
    return { href: fileHref(slug), title: p.title, text: p.text.replace(/\s+/g, " ") };
  });
  const body = `<h1>Search</h1><div id="hits"><p>Type words in the search box above.</p></div>
<script>const INDEX=${JSON.stringify(index).replace(/</g, "\\u003c")};
const q=new URLSearchParams(location.search).get("q")||"";const words=q.toLowerCase().split(/\\s+/).filter(w=>w.length>1);
if(words.length){const esc=s=>s.replace(/[&<>"']/g,c=>"&#"+c.charCodeAt(0)+";");
const hits=INDEX.filter(p=>words.every(w=>p.text.toLowerCase().includes(w))).map(p=>{const t=p.text.toLowerCase();
let score=0;for(const w of words){score+=p.title.toLowerCase().includes(w)?20:0;score+=Math.min(10,t.split(w).length-1);}
const at=t.indexOf(words[0]);return{p,score,snippet:p.text.slice(Math.max(0,at-80),at+160)};}).sort((a,b)=>b.score-a.score);
document.getElementById("hits").innerHTML=hits.length?hits.map(h=>'<div class="hit"><a href="'+esc(h.p.href)+'">'+esc(h.p.title)+'</a><p>'+esc(h.snippet)+'</p></div>').join(""):"<p>No page has all of these words.</p>";}
</script>`;
  writeFileSync(join(outDir, "search.html"), helpLayout({ library, href: fileHref, title: "Search", body, searchAction: "search.html" }));
  return library.slugs().length + 1;
}

export { escapeHtml };
