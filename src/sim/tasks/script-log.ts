// Builds an engine script log (CRLF) for one reload from the app's load script: success, failure or abort.
import { createHash } from "node:crypto";
import { scriptLogStamp } from "../util/time";

export interface ScriptLogInput {
  script: string;
  productVersion: string;
  /** `DIRECTORY\userid` that executed the reload. */
  user: string;
  startMs: number;
  stopMs: number;
  outcome: "success" | "fail" | "abort";
  /** The error line for a failed reload, e.g. "Cannot open file: 'lib://Data/orders.qvd'". */
  error?: string;
  partial?: boolean;
  /** A log of exactly `lines` lines; for a failed reload the `Error:` line sits at `errorLine` (default: the end). */
  shape?: ScriptLogShape;
  /** What a successful reload's log shows that went wrong anyway (not with `shape`). */
  warnings?: ScriptLogWarnings;
}

/** Shapes of "succeeded with warnings": errors the script continued past, and loads that fetched nothing. */
export interface ScriptLogWarnings {
  /** Each becomes an `Error:` line after a LOAD (as under ErrorMode 0, the script goes on; that LOAD fetches nothing). */
  skippedErrors?: string[];
  /** Labels of tables (case-insensitive, without brackets) whose load logs "0 Lines fetched". */
  emptyTables?: string[];
}

export interface ScriptLogShape {
  lines: number;
  /** 1-based; default `lines - 2` (then come `Execution Failed` and `Execution finished.`). */
  errorLine?: number;
}

interface Statement {
  lines: { no: number; text: string }[];
  isLoad: boolean;
  fields: string[];
  /** The table label (`[Orders]:` or `Orders:`) the statement starts with. */
  label?: string;
}

/** Splits a load script into statements (ending with `;`), keeping each line's 1-based number. */
export function scriptStatements(script: string): Statement[] {
  const out: Statement[] = [];
  let current: { no: number; text: string }[] = [];
  script.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trimEnd();
    const t = text.trim();
    if (t === "" || t.startsWith("//")) return;
    current.push({ no: i + 1, text });
    if (t.endsWith(";")) {
      const all = current.map((l) => l.text).join(" ");
      const load = /\b(LOAD|SELECT)\b/i.test(all);
      const fieldMatch = /\b(?:LOAD|SELECT)\s+(.+?)\s+(?:FROM|RESIDENT|INLINE|AUTOGENERATE)\b/i.exec(all);
      const fields = fieldMatch
        ? fieldMatch[1]!
            .split(",")
            .map((f) => f.trim().replace(/^\[|\]$/g, ""))
            .filter((f) => f && f !== "*")
        : [];
      const label = /^\[?([^\]:;]+?)\]?\s*:\s*$/.exec(current[0]!.text.trim())?.[1];
      out.push({ lines: current, isLoad: load, fields, ...(label ? { label } : {}) });
      current = [];
    }
  });
  if (current.length > 0) out.push({ lines: current, isLoad: false, fields: [] });
  return out;
}

function rowsFor(text: string): number {
  return 1_000 + (createHash("md5").update(text).digest().readUInt32BE(0) % 250_000);
}

const fmtRows = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");

/** The statement the error belongs to: the one naming the file/connection in the error, else the last LOAD. */
function failingIndex(statements: Statement[], error: string): number {
  const quoted = /'([^']+)'/.exec(error)?.[1];
  if (quoted) {
    const hit = statements.findIndex((s) => s.lines.some((l) => l.text.includes(quoted)));
    if (hit >= 0) return hit;
  }
  const loads = statements.map((s, i) => (s.isLoad ? i : -1)).filter((i) => i >= 0);
  return loads[loads.length - 1] ?? Math.max(0, statements.length - 1);
}

export function buildScriptLog(input: ScriptLogInput): string {
  const statements = scriptStatements(input.script);
  const body: string[] = [];
  const header = [
    "Execution started.",
    `Qlik Sense Server Version ${input.productVersion}`,
    "CPU Target                    x64",
    "Operating System              Windows Server 2019 Standard  (64 bit)",
    "Wow64 mode                    Not using Wow64",
    "MDAC Version                  6.3.9600.16384",
    "MDAC Function                 Not available",
    `Reload Executed By            ${input.user}`,
    "Process Executing             Qlik Sense Server",
    "Process ID                    4712",
  ];
  if (input.partial) header.push("Partial reload");

  const error = input.error ?? "Cannot open file";
  const stopAt =
    input.outcome === "fail" ? failingIndex(statements, error) : input.outcome === "abort" ? Math.floor(statements.length / 2) : statements.length - 1;

  const empty = new Set((input.outcome === "success" ? (input.warnings?.emptyTables ?? []) : []).map((t) => t.toLowerCase()));
  const skipped = input.outcome === "success" ? [...(input.warnings?.skippedErrors ?? [])] : [];
  for (let i = 0; i <= stopAt && i < statements.length; i++) {
    const s = statements[i]!;
    for (const l of s.lines) body.push(`${String(l.no).padStart(4, "0")}  ${l.text.trim()}`);
    if (input.outcome === "fail" && i === stopAt) {
      body.push(`      Error: ${error}`);
      break;
    }
    if (input.outcome === "abort" && i === stopAt) break;
    if (s.isLoad) {
      // Under ErrorMode 0 a failing LOAD logs its error and the script goes on with the next statement.
      if (skipped.length > 0 && !(s.label && empty.has(s.label.toLowerCase()))) {
        body.push(`      Error: ${skipped.shift()}`);
        continue;
      }
      if (s.fields.length > 0) body.push(`      ${s.fields.length} fields found: ${s.fields.join(", ")},`);
      const rows = s.label && empty.has(s.label.toLowerCase()) ? 0 : rowsFor(s.lines.map((l) => l.text).join());
      body.push(`${fmtRows(rows)} Lines fetched`);
    }
  }
  // More skipped errors than LOADs: the rest are logged at the end, before the log's last lines.
  for (const e of skipped) body.push(`      Error: ${e}`);

  const footer =
    input.outcome === "success"
      ? ["Creating search index", "Search index creation completed successfully", "App saved", "Execution finished."]
      : input.outcome === "fail"
        ? ["Execution Failed", "Execution finished."]
        : ["Execution aborted by user request", "Execution finished."];

  const all = input.shape ? shapedLines(input, header, statementLines(statements), footer, error) : [...header, ...body, ...footer];
  const span = Math.max(0, input.stopMs - input.startMs);
  return all
    .map((line, i) => {
      const t = input.startMs + (all.length > 1 ? Math.round((span * i) / (all.length - 1)) : 0);
      return `${scriptLogStamp(t)} ${line}`;
    })
    .join("\r\n")
    .concat("\r\n");
}

/**
 * A log of the requested length: the header and the statements (repeated, as a loop in the script would) up to the
 * error line, more statements after it (as under ErrorMode 0), and the end lines of the outcome last.
 */
function shapedLines(input: ScriptLogInput, header: string[], filler: string[], footer: string[], error: string): string[] {
  const total = Math.max(1, Math.floor(input.shape!.lines));
  if (filler.length === 0) filler.push("0001  TRACE Working;");
  let k = 0;
  const next = () => filler[k++ % filler.length]!;
  const out: string[] = [];
  if (input.outcome === "fail") {
    const at = Math.min(total, Math.max(1, Math.floor(input.shape!.errorLine ?? total - 2)));
    for (let i = 0; i < at - 1; i++) out.push(i < header.length ? header[i]! : next());
    out.push(`      Error: ${error}`);
    const rest = total - at;
    const ends = footer.slice(footer.length - Math.min(rest, footer.length));
    for (let i = 0; i < rest - ends.length; i++) out.push(next());
    out.push(...ends);
    return out;
  }
  const ends = footer.slice(footer.length - Math.min(total, footer.length));
  for (let i = 0; i < total - ends.length; i++) out.push(i < header.length ? header[i]! : next());
  out.push(...ends);
  return out;
}

/** Every statement as a successful reload logs it (echo, fields found, lines fetched). */
function statementLines(statements: Statement[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    for (const l of s.lines) out.push(`${String(l.no).padStart(4, "0")}  ${l.text.trim()}`);
    if (s.isLoad) {
      if (s.fields.length > 0) out.push(`      ${s.fields.length} fields found: ${s.fields.join(", ")},`);
      out.push(`${fmtRows(rowsFor(s.lines.map((l) => l.text).join()))} Lines fetched`);
    }
  }
  return out;
}
