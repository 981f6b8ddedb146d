// Renders reference entries: the whole Markdown page (docs/configuration-reference.md) and one entry as plain text
// for `steward config explain`. Both are built from the same parts, so they say the same thing.
import { stringify } from "yaml";
import type { ReferenceEntry } from "./entries";
import type { ReferenceSource } from "./source";
import { exampleFor, exampleYaml } from "./examples";

export const REFERENCE_PAGE = "docs/configuration-reference.md";
export const REGENERATE_COMMAND = "bun scripts/gen-config-reference.ts";

interface EntryParts {
  title: string;
  facts: string[];
  description: string;
  keys: string[];
  example?: string;
}

function entryParts(entry: ReferenceEntry, fullYaml: unknown): EntryParts {
  const facts = [`Type: ${entry.type}`];
  if (entry.required) facts.push("required");
  if (entry.default !== undefined && !isEmpty(entry.default)) facts.push(`Default: ${inlineYaml(entry.default)}`);
  // A section's keys are listed instead of an example: each of them has its own.
  const example = entry.children.length > 0 ? undefined : exampleFor(entry, fullYaml);
  return {
    title: entry.variant !== undefined ? `${entry.path} (type: ${entry.variant})` : entry.path,
    facts,
    description: entry.description ?? "(no description)",
    keys: entry.children,
    ...(example ? { example: exampleYaml(entry, example) } : {}),
  };
}

/** One entry as the command line prints it. */
export function renderEntryText(entry: ReferenceEntry, src: ReferenceSource): string {
  const p = entryParts(entry, src.fullYaml);
  const lines = [p.title, `  ${p.facts.join(" · ")}`, "", ...wrap(p.description, 100).map((l) => `  ${l}`)];
  if (p.keys.length) lines.push("", `  Keys: ${p.keys.join(", ")}`);
  if (p.example) lines.push("", src.standsAlone(p.example) ? "  Example:" : "  Example (part of a config):", ...p.example.split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}

/** One entry as a section of the Markdown page. */
function renderEntryMarkdown(entry: ReferenceEntry, src: ReferenceSource): string {
  const p = entryParts(entry, src.fullYaml);
  // A top-level key is its section's heading; the keys below it are headings one level down.
  const level = entry.path === entry.section ? "##" : "###";
  const lines = [`${level} \`${p.title}\``, "", p.facts.map(markdownFact).join(" · "), "", p.description];
  if (p.keys.length) lines.push("", `Keys: ${p.keys.map((k) => `[\`${k}\`](#${anchorOf(`${entry.path}.${k}`, entry.variant)})`).join(", ")}`);
  if (p.example) lines.push("", src.standsAlone(p.example) ? "```yaml" : "```yaml fragment", p.example, "```");
  return lines.join("\n");
}

function markdownFact(fact: string): string {
  const m = /^(Type|Default): (.*)$/.exec(fact);
  if (!m) return `**${fact}**`;
  return m[1] === "Default" ? `Default: \`${m[2]}\`` : `Type: ${m[2]}`;
}

/** GitHub's anchor of an entry's heading (the title without punctuation, spaces as dashes). */
export function anchorOf(path: string, variant?: string): string {
  const title = variant !== undefined ? `${path} (type: ${variant})` : path;
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The whole reference page. */
export function renderReferencePage(src: ReferenceSource): string {
  const sections = [...new Set(src.entries.map((e) => e.section))];
  const head = [
    "# Configuration reference",
    "",
    `<!-- Generated from the config schema (src/platform/config) by \`${REGENERATE_COMMAND}\`. Do not edit: a test fails when this page and the schema disagree. -->`,
    "",
    "Every key of Steward's config file, with its type, default, what it does and an example. The same text for one key:",
    "`steward config explain KEY` (for example `steward config explain notify.outbox.maxAttempts`).",
    "",
    "- An empty file is valid: every key has a default or belongs to a section you add only when you need it.",
    "- In a path, `*` stands for any name in a map (a channel's name under `channels`) or any item of a list (a route).",
    "- Channel keys depend on the channel's `type`; each is listed once per type.",
    "- Durations are text such as `500ms`, `30s`, `5m`, `1h30m` or `7d`. Secrets can be written as `${env:NAME}` or",
    "  `${file:path}`; see [the config file](configuration.md#secrets) for the secrets file next to it.",
    "- `steward config check FILE` checks a whole file against this reference and against the server it runs on.",
    "- An example marked `yaml fragment` shows its key in place but is not a config on its own: its section needs",
    "  other keys too (a route its channel, a PostgreSQL setting the URL). Copy the key into your config.",
    "",
    `Sections: ${sections.map((s) => `[\`${s}\`](#${anchorOf(s)})`).join(" · ")}`,
  ];
  const body = src.entries.map((e) => renderEntryMarkdown(e, src));
  return `${[head.join("\n"), ...body].join("\n\n")}\n`;
}

function inlineYaml(value: unknown): string {
  return stringify(value, { collectionStyle: "flow", lineWidth: 0, flowCollectionPadding: false }).trim();
}

function isEmpty(v: unknown): boolean {
  return v !== null && typeof v === "object" && Object.keys(v).length === 0;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
