// A whole payload written as one `json({ … })` (or `json([ … ])`) call: JSON.stringify drops a key whose value is
// undefined, so `json({ app: it.appNmae })` would send `{}` without a word. In an administrator's own template such a
// key is a missing value like `<%= it.appNmae %>` (missing-value.ts): the alert goes out in its plain form naming it.
// The built-in templates leave optional fields out this way on purpose (no incident, no app), so they are not looked into.

/** The argument text of a tag that is exactly one `json(` call on an object or array literal; undefined otherwise. */
export function jsonPayloadArgument(expression: string): string | undefined {
  const m = /^json\s*\(/.exec(expression);
  if (!m) return undefined;
  const start = m[0].length;
  if (!/^\s*[{[]/.test(expression.slice(start))) return undefined;
  let depth = 1;
  let quote: string | undefined;
  for (let i = start; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      depth--;
      // The call closes here: it is the whole tag only if nothing but blanks follows.
      if (depth === 0) return expression.slice(i + 1).trim() === "" ? expression.slice(start, i) : undefined;
    }
  }
  return undefined;
}

const MAX_DEPTH = 8;
const MAX_VALUES = 5_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The path of the first undefined value JSON.stringify would drop (a key) or print as null (an array's item). */
export function firstUndefinedPath(value: unknown): string | undefined {
  let seen = 0;
  const walk = (v: unknown, path: string, depth: number): string | undefined => {
    if (depth > MAX_DEPTH || ++seen > MAX_VALUES) return undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = v[i] === undefined ? `${path}[${i}]` : walk(v[i], `${path}[${i}]`, depth + 1);
        if (found) return found;
      }
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        const found = x === undefined ? at : walk(x, at, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(value, "", 0);
}
