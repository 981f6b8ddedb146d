// A small Markdown renderer for Steward's own docs (docs/*.md): headings with anchors, paragraphs, lists, fenced
// code, block quotes, GFM tables and the common inline forms. Everything is HTML-escaped: the pages are served by
// Steward itself, so a doc can never carry script into the dashboard's origin.
export interface RenderedDoc {
  title: string;
  html: string;
  /** Plain text of the page, for the search index. */
  text: string;
  headings: { id: string; text: string; level: number }[];
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_[\]()]/g, "")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/**
 * `link` rewrites a relative target (another doc page) into the served URL; absolute URLs pass unchanged. A target
 * the pages cannot serve (a file of Steward's repository, such as config/full.yaml) comes back as `{ file }`: it is
 * named, not linked, since the link would lead nowhere from /help or the release's docs folder.
 */
export type LinkRewriter = (target: string) => string | { file: string };

/**
 * Inline forms by plain scanning: an opener finds its closer with indexOf, and the place found is remembered for the
 * openers after it (or that there is none), so a line full of unmatched markers costs linear time.
 */
function renderInline(src: string, link: LinkRewriter): string {
  let out = "";
  let i = 0;
  // The next place of each token at or after the last search: searches move forward, so each is found once.
  const next = new Map<string, number>();
  const closer = (token: string, from: number): number => {
    const known = next.get(token);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const at = src.indexOf(token, from);
    next.set(token, at);
    return at;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === "\\" && i + 1 < src.length && /[\\`*_[\]()#+\-.!|<>{}]/.test(src[i + 1]!)) {
      out += escapeHtml(src[i + 1]!);
      i += 2;
      continue;
    }
    if (ch === "`") {
      let n = 1;
      while (src[i + n] === "`") n++;
      const tick = "`".repeat(n);
      let end = closer(tick, i + n);
      // A longer run of backticks is not this span's closer.
      while (end !== -1 && src[end + n] === "`") {
        let skip = end;
        while (src[skip] === "`") skip++;
        end = src.indexOf(tick, skip);
      }
      if (end !== -1) {
        out += `<code>${escapeHtml(src.slice(i + n, end).trim())}</code>`;
        i = end + n;
      } else {
        out += escapeHtml(tick);
        i += n;
      }
      continue;
    }
    if (ch === "[" || (ch === "!" && src[i + 1] === "[")) {
      const open = ch === "!" ? i + 1 : i;
      const close = closer("](", open + 1);
      const end = close === -1 ? -1 : closer(")", close + 2);
      const target = end === -1 ? "" : src.slice(close + 2, end).replace(/\s+"[^"]*"$/, "");
      const label = close === -1 ? "" : src.slice(open + 1, close);
      if (end !== -1 && target && !/\s/.test(target) && !label.includes("\n\n") && !/[[\]]/.test(label.replace(/`[^`]*`/g, ""))) {
        const to = link(target);
        if (typeof to !== "string") out += namedFile(to.file, ch === "!" ? escapeHtml(label) : renderInline(label, link), label);
        else
          out +=
            ch === "!" ? `<img alt="${escapeHtml(label)}" src="${escapeHtml(to)}">` : `<a href="${escapeHtml(safeHref(to))}">${renderInline(label, link)}</a>`;
        i = end + 1;
        continue;
      }
    }
    if (ch === "<") {
      const end = closer(">", i);
      const url = end === -1 ? "" : src.slice(i + 1, end);
      if (/^https?:\/\/[^\s<>]+$/.test(url)) {
        out += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
        i = end + 1;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && src[i + 1] === ch && /\S/.test(src[i + 2] ?? " ")) {
      const end = closer(ch + ch, i + 3);
      if (end !== -1 && /\S/.test(src[end - 1]!)) {
        out += `<strong>${renderInline(src.slice(i + 2, end), link)}</strong>`;
        i = end + 2;
        continue;
      }
    }
    if ((ch === "*" || (ch === "_" && !isWordChar(src[i - 1]))) && /\S/.test(src[i + 1] ?? " ") && src[i + 1] !== ch) {
      // One candidate closer only (the next marker): trying later ones would make a line of markers quadratic.
      const end = closer(ch, i + 2);
      if (end !== -1 && /\S/.test(src[end - 1]!) && src[end + 1] !== ch && (ch === "*" || !isWordChar(src[end + 1]))) {
        out += `<em>${renderInline(src.slice(i + 1, end), link)}</em>`;
        i = end + 1;
        continue;
      }
    }
    out += escapeHtml(ch);
    i += 1;
  }
  return out;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Only web, mail and local links: a doc link can never run script. */
/** A file the pages do not serve: its path, after the label unless the label already is the path (or its name). */
function namedFile(file: string, labelHtml: string, label: string): string {
  const bare = (p: string) => p.replace(/`/g, "").replace(/\/+$/, "");
  const said = bare(label);
  if (said === bare(file) || said === bare(file).split("/").pop()) return `<code>${escapeHtml(file)}</code>`;
  return `${labelHtml} (<code>${escapeHtml(file)}</code>)`;
}

const safeHref = (href: string) => (/^(https?:|mailto:|\/|#|[\w.-]+(?:[/#]|$))/i.test(href) && !/^javascript:/i.test(href) ? href : "#");

const plain = (s: string) =>
  s
    .replace(/`([^`\n]{0,400})`/g, "$1")
    .replace(/!?\[([^\]\n]{0,400})\]\([^)\s]{0,400}\)/g, "$1")
    // Emphasis marks only: an underscore or star inside a word stays (STEWARD_SIGN_PFX, snake_case keys).
    .replace(/(?<![\p{L}\p{N}])[*_]{1,2}|[*_]{1,2}(?![\p{L}\p{N}])/gu, "");

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let inCode = false;
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\\" && body[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (ch === "`") {
      inCode = !inCode;
      cur += ch;
    } else if (ch === "|" && !inCode) {
      cells.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;

interface ListFrame {
  indent: number;
  ordered: boolean;
}

/** Renders one Markdown document. Linear in its size: every loop consumes at least one line. */
export function renderMarkdown(source: string, link: LinkRewriter = (t) => t): RenderedDoc {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const html: string[] = [];
  const text: string[] = [];
  const headings: RenderedDoc["headings"] = [];
  const used = new Map<string, number>();
  let title = "";
  let i = 0;
  const inline = (s: string) => renderInline(s, link);

  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^(\s*)(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[2]!)) body.push(lines[i++]!.slice(fence[1]!.length));
      i++;
      const lang = fence[3] ? ` class="language-${escapeHtml(fence[3])}"` : "";
      html.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      text.push(body.join(" "));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const words = plain(heading[2]!);
      const base = slugify(words);
      const n = used.get(base) ?? 0;
      used.set(base, n + 1);
      const id = n ? `${base}-${n}` : base;
      if (level === 1 && !title) title = words;
      headings.push({ id, text: words, level });
      html.push(`<h${level} id="${escapeHtml(id)}">${inline(heading[2]!)}</h${level}>`);
      text.push(words);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      html.push("<hr>");
      i++;
      continue;
    }
    if (line.trimStart().startsWith(">")) {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith(">")) body.push(lines[i++]!.trimStart().replace(/^>\s?/, ""));
      const inner = renderMarkdown(body.join("\n"), link);
      html.push(`<blockquote>${inner.html}</blockquote>`);
      text.push(inner.text);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[i + 1]!)) {
      const head = splitRow(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.includes("|") && lines[i]!.trim()) rows.push(splitRow(lines[i++]!));
      html.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      text.push([...head, ...rows.flat()].map(plain).join(" "));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      i = renderList(lines, i, html, text, inline);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !startsBlock(lines[i]!)) para.push(lines[i++]!.trim());
    if (para.length === 0) para.push(lines[i++]!.trim());
    html.push(`<p>${inline(para.join("\n")).replace(/ {2,}\n/g, "<br>\n")}</p>`);
    text.push(plain(para.join(" ")));
  }
  return { title, html: html.join("\n"), text: text.join("\n"), headings };
}

function startsBlock(line: string): boolean {
  return /^(#{1,6}\s|\s*(```|~~~)|\s*>)/.test(line) || /^\s*([-*+]|\d+[.)])\s+/.test(line);
}

/** A list and its nested lists; an item's continuation lines (indented past its marker) belong to it. */
function renderList(lines: string[], start: number, html: string[], text: string[], inline: (s: string) => string): number {
  const stack: ListFrame[] = [];
  let i = start;
  let openItem = false;
  while (i < lines.length) {
    const line = lines[i]!;
    const m = LIST_ITEM.exec(line);
    if (!m) {
      if (!line.trim()) {
        // A blank line ends the list unless the next line continues it (an item or an indented paragraph).
        const next = lines[i + 1] ?? "";
        if (LIST_ITEM.test(next) || (next.trim() && /^\s{2,}/.test(next) && stack.length)) {
          i++;
          continue;
        }
        break;
      }
      if (!stack.length || /^\S/.test(line)) break;
      const fence = /^(\s*)(```+|~~~+)/.exec(line);
      if (fence) {
        const body: string[] = [];
        i++;
        while (i < lines.length && !lines[i]!.trim().startsWith(fence[2]!)) body.push(lines[i++]!.slice(fence[1]!.length));
        i++;
        html.push(`<pre><code>${body.map((b) => b.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")).join("\n")}</code></pre>`);
        text.push(body.join(" "));
        continue;
      }
      html.push(` ${inline(line.trim())}`);
      text.push(plain(line.trim()));
      i++;
      continue;
    }
    const indent = m[1]!.length;
    const ordered = /\d/.test(m[2]!);
    while (stack.length && indent < stack[stack.length - 1]!.indent) {
      html.push(`</li></${stack.pop()!.ordered ? "ol" : "ul"}>`);
    }
    const same = stack[stack.length - 1];
    if (same && same.indent === indent && same.ordered !== ordered) {
      // "- a" then "1. b" at one depth: two lists, as every Markdown renderer shows them.
      html.push(`</li></${stack.pop()!.ordered ? "ol" : "ul"}>`);
      openItem = false;
    }
    const top = stack[stack.length - 1];
    if (!top || indent > top.indent) {
      stack.push({ indent, ordered });
      html.push(ordered ? "<ol>" : "<ul>");
    } else if (openItem) html.push("</li>");
    html.push(`<li>${inline(m[3]!)}`);
    text.push(plain(m[3]!));
    openItem = true;
    i++;
  }
  while (stack.length) html.push(`</li></${stack.pop()!.ordered ? "ol" : "ul"}>`);
  return i;
}
