// Butler's config as a tree of leaves, with a verdict per leaf: mapped, not mapped (and why), or off (part of a
// feature that is disabled in Butler). The longest marked prefix decides a leaf's verdict, so a subtree can be
// marked as a whole and single leaves inside it marked differently.

export type Verdict = ({ kind: "mapped" } | { kind: "unmapped"; reason: string } | { kind: "off" }) & { at?: string };

export interface ButlerTree {
  /** Value at a dotted path ("Butler.heartbeat.enable", "Butler.monitor[0].host"). */
  get(path: string): unknown;
  has(path: string): boolean;
  mapped(path: string): void;
  unmapped(path: string, reason: string): void;
  off(path: string): void;
  /** Every leaf path (scalars, empty lists and empty mappings). */
  leaves(): string[];
  verdict(leaf: string): Verdict | undefined;
}

function split(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part)!;
    if (m[1]) out.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

function join(base: string, key: string | number): string {
  return typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key;
}

export function createButlerTree(root: unknown): ButlerTree {
  const marks = new Map<string, Verdict>();
  const get = (path: string): unknown => {
    let v: unknown = root;
    for (const k of split(path)) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string | number, unknown>)[k];
    }
    return v;
  };
  const leaves: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
      if (entries.length === 0) leaves.push(path);
      for (const [k, x] of entries) walk(x, join(path, k));
    } else leaves.push(path);
  };
  walk(root, "");
  return {
    get,
    has: (path) => get(path) !== undefined,
    mapped: (path) => void marks.set(path, { kind: "mapped" }),
    unmapped: (path, reason) => void marks.set(path, { kind: "unmapped", reason }),
    off: (path) => void marks.set(path, { kind: "off" }),
    leaves: () => leaves,
    verdict(leaf) {
      // The leaf itself, then each shorter prefix ending before a "." or "[": the longest marked one decides.
      // Looking prefixes up (not scanning every mark) keeps a config with long lists linear.
      for (let end = leaf.length; end > 0; end = Math.max(leaf.lastIndexOf(".", end - 1), leaf.lastIndexOf("[", end - 1))) {
        const p = leaf.slice(0, end);
        const v = marks.get(p);
        if (v) return { ...v, at: p };
      }
      return undefined;
    },
  };
}
