// Case-insensitive name globs where * matches any run of characters, matched in time linear in the name: the
// pattern is split on *, the first part must start the name, the last must end it, and each part between is found
// in order, leftmost first. A regular expression of `.*` groups backtracks (seconds per event on a long task name).

/** A glob ready to test many names: its parts lower-cased once. */
export interface CompiledGlob {
  readonly pattern: string;
  test(name: string, cost?: GlobCost): boolean;
}

/** Counts the characters a match looked at, so a test can bound the work without a clock. */
export interface GlobCost {
  steps: number;
}

export function compileGlob(pattern: string): CompiledGlob {
  const parts = pattern.toLowerCase().split("*");
  return { pattern, test: (name, cost) => matchParts(parts, name.toLowerCase(), cost) };
}

/** One-off match of `name` against `pattern` (case-insensitive; * is any run of characters). */
export function globMatch(pattern: string, name: string, cost?: GlobCost): boolean {
  return matchParts(pattern.toLowerCase().split("*"), name.toLowerCase(), cost);
}

function matchParts(parts: string[], name: string, cost?: GlobCost): boolean {
  const first = parts[0] ?? "";
  if (parts.length === 1) {
    if (cost) cost.steps += Math.min(first.length, name.length);
    return name === first;
  }
  const last = parts[parts.length - 1] ?? "";
  if (cost) cost.steps += first.length + last.length;
  if (first.length + last.length > name.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // Leftmost placement of each middle part leaves the most room for the next ones, so no choice is ever undone.
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? "";
    if (part === "") continue;
    const found = name.indexOf(part, at);
    if (cost) cost.steps += (found < 0 ? name.length - at : found - at) + part.length;
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
