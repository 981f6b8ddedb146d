// The docs renderer on hand-written Markdown: what each block and inline form becomes, that nothing passes as
// markup, and that a pathological page renders in time linear in its size.
import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "../../../../src/show/help/markdown";

describe("renderMarkdown", () => {
  test("headings get anchors (unique ones), the first h1 is the title", () => {
    const d = renderMarkdown("# Watch dog\n\n## What it does\n\ntext\n\n## What it does\n");
    expect(d.title).toBe("Watch dog");
    expect(d.headings.map((h) => h.id)).toEqual(["watch-dog", "what-it-does", "what-it-does-1"]);
    expect(d.html).toContain('<h2 id="what-it-does-1">What it does</h2>');
  });

  test("paragraphs, emphasis, code spans, links rewritten by the caller", () => {
    const d = renderMarkdown("Read **the page** and *this* in `a <b>` [alerts](alerts.md#routes) or <https://qlik.dev>.", (t) =>
      t.replace(/^alerts\.md/, "/help/alerts"),
    );
    expect(d.html).toBe(
      '<p>Read <strong>the page</strong> and <em>this</em> in <code>a &lt;b&gt;</code> <a href="/help/alerts#routes">alerts</a> or <a href="https://qlik.dev">https://qlik.dev</a>.</p>',
    );
  });

  test("snake_case words stay words", () => {
    expect(renderMarkdown("task_failed and app_stale").html).toBe("<p>task_failed and app_stale</p>");
  });

  test("nested lists, ordered lists and a fenced block inside an item", () => {
    const d = renderMarkdown("- one\n  - one.a\n  - one.b\n- two\n\n1. first\n2. second\n   ```yaml\n   a: 1\n   ```\n");
    expect(d.html.replace(/\n/g, "")).toBe(
      "<ul><li>one<ul><li>one.a</li><li>one.b</li></ul></li><li>two</li></ul><ol><li>first</li><li>second<pre><code>a: 1</code></pre></li></ol>",
    );
  });

  test("tables (pipes inside code stay in their cell) and fenced code with a language", () => {
    const d = renderMarkdown("| key | meaning |\n| --- | --- |\n| `a\\|b` | x \\| y |\n\n```yaml\nroutes: []\n```\n");
    expect(d.html).toContain(
      "<table><thead><tr><th>key</th><th>meaning</th></tr></thead><tbody><tr><td><code>a|b</code></td><td>x | y</td></tr></tbody></table>",
    );
    expect(d.html).toContain('<pre><code class="language-yaml">routes: []</code></pre>');
  });

  test("raw HTML and script never pass through", () => {
    const d = renderMarkdown("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n```\n</code><script>\n```");
    expect(d.html).not.toContain("<script");
    expect(d.html).not.toContain("<img src=x");
    expect(d.html).toContain("&lt;script&gt;");
  });

  test("a large page of unmatched markers renders, every marker kept as text", () => {
    // Each opener below finds its closer far away or never: a search per opener would take minutes here.
    const unit = "**a *b `c [d](e) _f <g [[h ](";
    const d = renderMarkdown(unit.repeat(40_000));
    expect(d.html.length).toBeGreaterThan(unit.length * 40_000);
    expect(d.html).not.toContain("<script");
  });
});
