// What a heap kept between two snapshots of one process (issue 78): the split rich-site bench writes them at chosen
// days' ends (BENCH_SNAPSHOT_DAYS=4,7 in scripts/bench-rich-site-peer.ts). Bun's snapshots do not keep an object's
// id from one snapshot to the next, so objects are grouped by type and constructor with their two nearest holders,
// the groups of both snapshots compared by count and own bytes, and for the groups that grew most a few retainer
// paths show who holds them.
//   bun scripts/heap-snapshot-diff.ts <earlier.heapsnapshot> <later.heapsnapshot> [--top 25] [--paths 3]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" }, paths: { type: "string", default: "3" } },
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Heap {
  count: number;
  id(i: number): number;
  label(i: number): string;
  size(i: number): number;
  /** For each node, the nodes and edge names that point to it. */
  retainers(i: number): Array<{ from: number; edge: string }>;
}

function load(path: string): Heap {
  const s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const m = s.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [fType, fName, fId, fSize, fEdges] = ["type", "name", "id", "self_size", "edge_count"].map((f) => m.node_fields.indexOf(f)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((f) => m.edge_fields.indexOf(f)) as [number, number, number];
  const count = s.nodes.length / nf;
  const edgeTypes = m.edge_types[0];
  // Reverse edges, built once: who points at each node. A plain object's label carries its property names: a Map's
  // entries have no edge from the Map in these snapshots, so the shape is often what says which code made it.
  const back: Array<Array<{ from: number; edge: string }> | undefined> = new Array(count);
  const props: Array<string[] | undefined> = new Array(count);
  let e = 0;
  for (let i = 0; i < count; i++) {
    const n = s.nodes[i * nf + fEdges]!;
    for (let k = 0; k < n; k++, e += ef) {
      const to = s.edges[e + eTo]! / nf;
      const t = edgeTypes[s.edges[e + eType]!];
      const raw = s.edges[e + eName]!;
      const edge = t === "element" || t === "hidden" ? `[${raw}]` : (s.strings[raw] ?? String(raw));
      (back[to] ??= []).push({ from: i, edge });
      if (t === "property") (props[i] ??= []).push(edge);
    }
  }
  // Sorted: the same shape lists its properties in another order from one snapshot to the next (a structure's table),
  // and grouped by that order the same objects showed as thousands gone and as many new (issue 89).
  for (const p of props) p?.sort().splice(8);
  const typeOf = (i: number) => m.node_types[0][s.nodes[i * nf + fType]!];
  return {
    count,
    id: (i) => s.nodes[i * nf + fId]!,
    label: (i) =>
      `${typeOf(i)}:${(s.strings[s.nodes[i * nf + fName]!] ?? "").slice(0, 60)}${typeOf(i) === "object" && props[i] ? `{${props[i]!.join(",")}}` : ""}`,
    size: (i) => s.nodes[i * nf + fSize]!,
    retainers: (i) => back[i] ?? [],
  };
}

/** One path from `i` towards a root, preferring retainers not yet seen; labels and edge names, up to `depth` steps. */
function pathOf(h: Heap, i: number, depth = 12): string {
  const seen = new Set([i]);
  const parts = [h.label(i)];
  let at = i;
  for (let d = 0; d < depth; d++) {
    const r = h.retainers(at).find((x) => !seen.has(x.from));
    if (!r) break;
    seen.add(r.from);
    parts.push(`.${r.edge} ← ${h.label(r.from)}`);
    at = r.from;
  }
  return parts.join(" ");
}

/** Each node by its label and its nearest two holders (edge names and labels): where in the program a group lives. */
function groupsOf(h: Heap): Map<string, { n: number; bytes: number; sample: number[] }> {
  const out = new Map<string, { n: number; bytes: number; sample: number[] }>();
  for (let i = 0; i < h.count; i++) {
    const r1 = h.retainers(i)[0];
    const r2 = r1 ? h.retainers(r1.from)[0] : undefined;
    const key = `${h.label(i)}${r1 ? ` .${r1.edge} ← ${h.label(r1.from)}` : ""}${r2 ? ` .${r2.edge} ← ${h.label(r2.from)}` : ""}`;
    const g = out.get(key) ?? { n: 0, bytes: 0, sample: [] };
    g.n++;
    g.bytes += h.size(i);
    if (g.sample.length < 20 && g.n % 97 === 1) g.sample.push(i);
    out.set(key, g);
  }
  return out;
}

/** Each node by its label alone, wherever held, and the heap's own bytes in all: what grew, before who holds it. */
function shapesOf(h: Heap): { shapes: Map<string, { n: number; bytes: number }>; total: number } {
  const shapes = new Map<string, { n: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < h.count; i++) {
    const g = shapes.get(h.label(i)) ?? { n: 0, bytes: 0 };
    g.n++;
    g.bytes += h.size(i);
    total += h.size(i);
    shapes.set(h.label(i), g);
  }
  return { shapes, total };
}

const [a, b] = positionals;
if (!a || !b) throw new Error("usage: bun scripts/heap-snapshot-diff.ts <earlier.heapsnapshot> <later.heapsnapshot>");
const beforeHeap = load(a);
const afterHeap = load(b);
const [s0, s1] = [shapesOf(beforeHeap), shapesOf(afterHeap)];
console.log(`own bytes in all: ${(s0.total / 2 ** 20).toFixed(2)} → ${(s1.total / 2 ** 20).toFixed(2)} MiB`);
console.log(`shapes that grew most by own bytes, wherever held (count change, bytes change, count after):`);
for (const [k, g] of [...s1.shapes]
  .sort((x, y) => y[1].bytes - (s0.shapes.get(y[0])?.bytes ?? 0) - (x[1].bytes - (s0.shapes.get(x[0])?.bytes ?? 0)))
  .slice(0, Number(values.top))) {
  const was = s0.shapes.get(k) ?? { n: 0, bytes: 0 };
  console.log(`${String(g.n - was.n).padStart(8)} ${((g.bytes - was.bytes) / 2 ** 20).toFixed(2).padStart(7)} MiB ${String(g.n).padStart(8)}  ${k}`);
}
const before = groupsOf(beforeHeap);
const after = groupsOf(afterHeap);
console.log("");
const grown = [...after]
  .map(([k, g]) => ({ k, g, dn: g.n - (before.get(k)?.n ?? 0), db: g.bytes - (before.get(k)?.bytes ?? 0) }))
  .sort((x, y) => y.db - x.db)
  .slice(0, Number(values.top));
console.log(`groups that grew most by own bytes (count change, bytes change, count after):`);
for (const x of grown) console.log(`${String(x.dn).padStart(8)} ${(x.db / 2 ** 20).toFixed(2).padStart(7)} MiB ${String(x.g.n).padStart(8)}  ${x.k}`);
const byCount = [...after]
  .map(([k, g]) => ({ k, g, dn: g.n - (before.get(k)?.n ?? 0) }))
  .sort((x, y) => y.dn - x.dn)
  .slice(0, Number(values.top));
console.log(`\ngroups that grew most by count:`);
for (const x of byCount) console.log(`${String(x.dn).padStart(8)} ${String(x.g.n).padStart(8)}  ${x.k}`);
for (const x of byCount.slice(0, 8)) {
  console.log(`\n${x.k}: +${x.dn}`);
  for (const i of x.g.sample.slice(0, Number(values.paths))) console.log(`  ${pathOf(afterHeap, i)}`);
}
