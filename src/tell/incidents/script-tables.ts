// Rows loaded per table, read from a reload's script log: the engine logs "12,345 Lines fetched" after each load
// (or "Orders << orders 12,345 Lines fetched"), and the statement echo before it names the table (its label) or
// the source. Used to notice a table that loaded 0 rows where earlier runs filled it. Linear in the log.
import { isFailureLine, logMessage, splitLogLines } from "../../hear/events/script-log-excerpt";
import type { ScriptLogExcerpt } from "../../platform/events/types";

/** Tables kept per run: a script looping over thousands of files must not make every run row huge. */
export const MAX_TABLES = 200;
/** Characters of a table key kept. */
const KEY_CHARS = 120;

const ECHO = /^(\d{4,})\s\s(.*)$/;
const LABEL = /^(?:\[([^\]]{1,200})\]|"([^"]{1,200})"|([A-Za-z_\u00C0-\uFFFF][\w .\-\u00C0-\uFFFF]{0,199}?))\s*:(?!\/\/)\s*(.*)$/;
const SOURCE = /\b(?:FROM|RESIDENT)\s+(\[[^\]]{1,300}\]|'[^']{1,300}'|"[^"]{1,300}"|[^\s;(]{1,300})/i;
/** The start of a statement that loads rows (after an optional label and prefixes such as MAPPING or JOIN). */
const LOADS =
  /^(?:\[[^\]]*\]\s*:\s*|[\w.\- ]+:\s*)?(?:(?:MAPPING|NOCONCATENATE|CONCATENATE|(?:LEFT|RIGHT|INNER|OUTER)?\s*(?:JOIN|KEEP))\s*(?:\([^)]*\))?\s*)*(?:LOAD|SELECT|SQL)\b/i;
const FETCHED = /^(.*?)([\d][\d ,.'\u00a0\u202f]*)\s+lines fetched\b/i;
/** Statements whose first word is a keyword carry no table label ("TRACE Note: …", "SET x=…"). */
const KEYWORD =
  /^(?:TRACE|SET|LET|IF|ELSE|ELSEIF|END|CALL|SUB|FOR|NEXT|DO|LOOP|EXIT|STORE|DROP|RENAME|CONNECT|LIB|ODBC|OLEDB|QUALIFY|UNQUALIFY|BINARY|DIRECTORY|EXECUTE|SLEEP|SWITCH|CASE|DEFAULT|SECTION|TAG|UNTAG|COMMENT|ALIAS|SEARCH|FORCE|HIDE|UNMAP|DISCONNECT)\b/i;

const clean = (s: string) =>
  s
    .replace(/^[[\]'"]+|[[\]'"]+$/g, "")
    .trim()
    .slice(0, KEY_CHARS);

/** Rows per table key (label, else source, else "line N"); a key loaded several times sums its rows. */
export function tableRows(lines: readonly string[]): Record<string, number> {
  const rows = new Map<string, number>();
  let label: string | undefined;
  let source: string | undefined;
  let statementLine: string | undefined;
  let fresh = true;
  for (const raw of lines) {
    const text = logMessage(raw);
    const echo = ECHO.exec(text);
    if (echo) {
      const stmt = echo[2]!.trim();
      // The first echo after a fetch starts the next statement.
      if (fresh) {
        source = undefined;
        statementLine = echo[1];
      }
      fresh = false;
      if (LOADS.test(stmt)) statementLine = echo[1];
      const l = KEYWORD.test(stmt) ? null : LABEL.exec(stmt);
      if (l) label = clean(l[1] ?? l[2] ?? l[3] ?? "") || label;
      const s = SOURCE.exec(stmt);
      if (s) source = clean(s[1]!);
      continue;
    }
    const f = FETCHED.exec(text);
    if (!f) {
      // A statement that failed (skipped under ErrorMode 0) fetched nothing: its label must not name the next load.
      if (isFailureLine(raw)) {
        label = undefined;
        source = undefined;
        fresh = true;
      }
      continue;
    }
    const count = Number(f[2]!.replace(/\D/g, ""));
    if (!Number.isFinite(count)) continue;
    // "Orders << orders.qvd 12,345 Lines fetched" names the table itself.
    const named = f[1]!.trim();
    const key = (named ? clean(named.split(/\s+<<\s+/)[0]!) : "") || label || source || (statementLine ? `line ${Number(statementLine)}` : "");
    if (key && (rows.has(key) || rows.size < MAX_TABLES)) rows.set(key, (rows.get(key) ?? 0) + count);
    label = undefined;
    source = undefined;
    statementLine = undefined;
    fresh = true;
  }
  return Object.fromEntries(rows);
}

/** The log's lines as the event has them: the whole text when kept, else head and tail (may miss loads). */
export function logLines(log: ScriptLogExcerpt): string[] {
  if (log.text !== undefined && !log.truncated) return splitLogLines(log.text);
  return [...log.head, ...(log.middle ?? []).map((m) => m.text), ...log.tail];
}
