// Text output of a Butler conversion: the Steward YAML (with the review notes as a trailing comment) and the
// report listing every Butler key that was not converted and why.
import { stringify } from "yaml";
import type { ConvertResult, ImportReport } from "./convert";

/**
 * A YAML comment of any text. Notes quote values from the Butler files (host names, folders, schedule names); a
 * line break in one must not end the comment and turn the rest into config keys.
 */
const comment = (prefix: string, text: string) =>
  text
    .split(/\r\n|\r|\n/)
    .map((line, i) => `${i === 0 ? prefix : "#    "}${line}`)
    .join("\n");

export function renderConfig(result: ConvertResult, source: string): string {
  const head = [
    comment("# ", `Steward configuration converted from the Butler config ${source} by \`steward config import-butler\`.`),
    "# Check it with `steward config check FILE`; read the notes at the end before going live.",
    ...result.report.actions.map((a) => comment("# ACTION REQUIRED: ", a)),
  ].join("\n");
  const body = stringify(result.config, { lineWidth: 0, aliasDuplicateObjects: false });
  const notes = result.report.review.map((n) => comment("#  - ", n)).join("\n");
  return `${head}\n${body}${notes ? `\n# Review:\n${notes}\n` : ""}`;
}

export function renderReport(r: ImportReport): string {
  const lines: string[] = [];
  if (r.actions.length) {
    lines.push(`ACTION REQUIRED before going live (${r.actions.length}):`);
    for (const a of r.actions) lines.push(`  !! ${a}`);
    lines.push("");
  }
  lines.push(`Converted ${r.mapped} Butler keys.`);
  const notConverted = r.unmapped.reduce((n, u) => n + u.leaves.length, 0);
  if (r.unmapped.length) {
    lines.push("", `Not converted (${notConverted} keys; no Steward equivalent), by reason:`);
    const byReason = new Map<string, string[]>();
    for (const u of r.unmapped) {
      const rest = u.leaves.filter((l) => l !== u.key).map((l) => l.slice(u.key.length).replace(/^\./, ""));
      const shown = rest.length ? `${u.key}: ${rest.join(", ")}` : u.key;
      byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), shown]);
    }
    for (const [reason, keys] of byReason) {
      lines.push(`  ${reason}:`);
      for (const k of keys) lines.push(...wrap(k, 116, "    ", "      "));
    }
  }
  if (r.off.length) {
    lines.push("", "Off in Butler, so not converted:");
    for (const o of r.off) lines.push(`  ${o.key} (${o.leaves} key${o.leaves === 1 ? "" : "s"})`);
  }
  if (r.review.length) {
    lines.push("", "Review:");
    for (const n of r.review) lines.push(`  - ${n}`);
  }
  return lines.join("\n");
}

/** Breaks a long "key: a, b, c" line after commas. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  for (const part of text.split(/(?<=, )/)) {
    if (line.length + part.length > width && line.trim()) {
      out.push(line.trimEnd());
      line = rest;
    }
    line += part;
  }
  out.push(line.trimEnd());
  return out;
}
