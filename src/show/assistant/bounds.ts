// Answers to an assistant are bounded: long texts cut, long lists shortened with a count of what was left out, deep
// nesting flattened to a note. A task name or a script-log line is data inside JSON, whatever it says, and marked as the
// site's (site-data.ts): a mark is bounded as the text it holds, at that text's depth.
import { isSiteText } from "./site-data";

export const TEXT_MAX = 2_000;
export const LIST_MAX = 100;
const DEPTH_MAX = 12;
/** The serialised answer's ceiling; past it lists are shortened further. */
export const ANSWER_MAX_CHARS = 120_000;

const cut = (text: string) => (text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX)}… (${text.length - TEXT_MAX} more characters)` : text);

function bound(value: unknown, depth: number, listMax: number): unknown {
  if (typeof value === "string") return cut(value);
  if (isSiteText(value)) return { siteData: cut(value.siteData) };
  if (value === null || typeof value !== "object") return value;
  if (depth >= DEPTH_MAX) return "(nested too deep; ask for one item)";
  if (Array.isArray(value)) {
    const kept = value.slice(0, listMax).map((v) => bound(v, depth + 1, listMax));
    return value.length > listMax ? [...kept, `(${value.length - listMax} more left out; narrow the request)`] : kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = bound(v, depth + 1, listMax);
  return out;
}

/** The value with its texts, lists and depth bounded, and its JSON under ANSWER_MAX_CHARS. */
export function bounded(value: unknown): unknown {
  let listMax = LIST_MAX;
  let out = bound(value, 0, listMax);
  while (JSON.stringify(out).length > ANSWER_MAX_CHARS && listMax > 1) {
    listMax = Math.floor(listMax / 2);
    out = bound(value, 0, listMax);
  }
  return out;
}
