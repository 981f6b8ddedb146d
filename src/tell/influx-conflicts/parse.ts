// Reads InfluxDB's answer to a refused write: "partial write: field type conflict: input field "f" on measurement
// "m" is type integer, already exists as type float dropped=1" (1.x in {"error"}, 2.x in {"message"}), and the
// measurement and field keys of line-protocol lines, to tell which open conflicts a later accepted write ends.

export interface FieldTypeConflict {
  measurement: string;
  field: string;
  /** The type the refused point had (integer, float, string, boolean). */
  writtenType: string;
  /** The type InfluxDB already holds for the field in that shard. */
  storedType: string;
  /** Points InfluxDB dropped from the write (all points of the batch with a conflict). */
  dropped?: number;
}

const CONFLICT =
  /field type conflict: input field "((?:[^"\\]|\\.)*)" on measurement "((?:[^"\\]|\\.)*)" is type (\w+), already exists as type (\w+)(?: dropped=(\d+))?/g;

/** The text of the answer: the JSON error or message when the body is JSON, else the body itself. */
function answerText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    const t = typeof j.error === "string" ? j.error : typeof j.message === "string" ? j.message : undefined;
    if (t !== undefined) return t;
  } catch {
    // Not JSON: the text as it came.
  }
  return body;
}

/** Every field type conflict InfluxDB names in its answer (it names the first one it met). */
export function parseFieldTypeConflicts(body: string): FieldTypeConflict[] {
  const text = answerText(body.slice(0, 64 * 1024));
  const out: FieldTypeConflict[] = [];
  for (const m of text.matchAll(CONFLICT)) {
    const unescapeName = (s: string) => s.replace(/\\(.)/g, "$1");
    out.push({
      field: unescapeName(m[1]!),
      measurement: unescapeName(m[2]!),
      writtenType: m[3]!,
      storedType: m[4]!,
      ...(m[5] ? { dropped: Number(m[5]) } : {}),
    });
  }
  return out;
}

/** The index of the first character of `s` from `from` on that is one of `stops` and not escaped with a backslash. */
function unescapedIndex(s: string, stops: string, from = 0): number {
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") i++;
    else if (stops.includes(c)) return i;
  }
  return -1;
}

const unescapeKey = (s: string) => s.replace(/\\([ ,=\\])/g, "$1");

/** Measurement and field keys of one line of line protocol (string values may hold anything, so they are skipped). */
export function lineKeys(line: string): { measurement: string; fields: string[] } | undefined {
  const end = unescapedIndex(line, ", ");
  if (end <= 0) return undefined;
  const measurement = unescapeKey(line.slice(0, end));
  const fieldsStart = line[end] === " " ? end + 1 : unescapedIndex(line, " ", end) + 1;
  if (fieldsStart <= 0) return undefined;
  const fields: string[] = [];
  let i = fieldsStart;
  while (i < line.length) {
    const eq = unescapedIndex(line, "=", i);
    if (eq < 0) break;
    fields.push(unescapeKey(line.slice(i, eq)));
    i = eq + 1;
    if (line[i] === '"') {
      // A string value: up to the closing unescaped quote.
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
      i++;
    } else while (i < line.length && line[i] !== "," && line[i] !== " ") i++;
    if (line[i] !== ",") break;
    i++;
  }
  return { measurement, fields };
}
