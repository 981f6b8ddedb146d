// Fuzz test of the YAML bounds over generated documents (seeded, bounded count): document markers, directives,
// comments, quotes of both kinds, block and flow collections, anchors and aliases, multi-line scalars, and the same
// mutated at random. For every document the check is an upper bound of what the parser builds (a bound one below the
// real depth or node count is refused), and hostile megabytes of any of these shapes are refused before parsing, in
// bounded memory, while a document within the bounds of a schedule import is read whole (check, parse, duplicate
// keys), however its nodes are arranged. How long these take is a benchmark's figure: scripts/bench-yaml.ts.
import { describe, expect, test } from "bun:test";
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from "yaml";
import { yamlBoundsProblem } from "../../../../src/platform/config/yaml-bounds";
import { parseYamlSource } from "../../../../src/platform/config/yaml-source";
import { scheduleFileBounds } from "../../../../src/start/scheduler/butler-import";
import { type SeededRandom, seededRandom } from "../../../helpers/seeded-random";
import { hostileYamlMegabytes, maxKeyMappings } from "../../../fixtures/hostile-yaml";

// YAML_FUZZ_SEED replays or widens the search (the default is fixed, so a run is repeatable).
const SEED = Number(process.env.YAML_FUZZ_SEED ?? 41_006);
const CASES = 1_000;

/** The deepest chain of collections and the number of nodes the parser built, over every document of the text. */
function measure(text: string): { depth: number; nodes: number } {
  let nodes = 0;
  const walk = (node: unknown, depth: number): number => {
    if (isPair(node)) return Math.max(walk(node.key, depth), walk(node.value, depth));
    if (isMap(node) || isSeq(node)) {
      nodes++;
      let deepest = depth + 1;
      for (const item of node.items as unknown[]) deepest = Math.max(deepest, walk(item, depth + 1));
      return deepest;
    }
    if (isScalar(node) || isAlias(node)) nodes++;
    return depth;
  };
  let depth = 0;
  for (const doc of parseAllDocuments(text)) if ("contents" in doc) depth = Math.max(depth, walk(doc.contents, 0));
  return { depth, nodes };
}

const words = ["a", "key", "x y", "http://h:1/p", "-1", "? q", "a:b", "#no", "it's", "[x]", "{y}", "*z", "&w", "!t", "|", ">", "- -"];
const quoted = (r: SeededRandom) => {
  const w = r.pick(words);
  return r.chance(0.5) ? `'${w.replace(/'/g, "''")}${r.chance(0.2) ? "\n  more'" : "'"}` : `"${w.replace(/"/g, '\\"')}${r.chance(0.2) ? "\\n\n  more" : ""}"`;
};
const scalar = (r: SeededRandom): string =>
  r.pick([
    () => r.pick(words.slice(0, 5)),
    () => quoted(r),
    () => `*a${r.int(0, 3)}`,
    () => `&a${r.int(0, 3)} ${r.pick(words.slice(0, 3))}`,
    () => `!tag ${r.pick(words.slice(0, 3))}`,
    () => "",
  ])();

/** A flow collection nested up to `depth` levels. */
function flow(r: SeededRandom, depth: number): string {
  if (depth <= 0 || r.chance(0.3)) return scalar(r) || "x";
  const items = Array.from({ length: r.int(0, 3) }, () => (r.chance(0.3) ? `${scalar(r) || "k"}: ${flow(r, depth - 1)}` : flow(r, depth - 1)));
  const sep = r.chance(0.2) ? ",\n  " : ", ";
  return r.chance(0.5) ? `[${items.join(sep)}]` : `{${items.join(sep)}}`;
}

/** A block node at `indent`, nested up to `depth` levels (compact "- - x", a sequence under its key, block scalars). */
function block(r: SeededRandom, indent: number, depth: number): string {
  const pad = " ".repeat(indent);
  if (depth <= 0 || r.chance(0.15)) return `${pad}${r.chance(0.3) ? flow(r, 3) : scalar(r) || "v"}\n`;
  const kind = r.int(0, 5);
  const n = r.int(1, 3);
  const step = r.int(1, 3);
  let out = "";
  for (let i = 0; i < n; i++) {
    if (kind === 0)
      out += `${pad}- ${r.chance(0.4) ? "- ".repeat(r.int(1, 3)) : ""}${r.chance(0.5) ? `${scalar(r) || "v"}\n` : `\n${block(r, indent + step, depth - 1)}`}`;
    else if (kind === 1) out += `${pad}k${i}:${r.chance(0.5) ? ` ${flow(r, 2)}\n` : `\n${block(r, r.chance(0.3) ? indent : indent + step, depth - 1)}`}`;
    else if (kind === 2) out += `${pad}? ${scalar(r) || "k"}\n${pad}:\n${block(r, indent + step, depth - 1)}`;
    else if (kind === 3) out += `${pad}s${i}: ${r.pick(["|", ">-", "|2", ">+"])}${r.chance(0.3) ? " # c [" : ""}\n${pad}  line [ { - ? : #\n${pad}   more ]\n`;
    else if (kind === 4) out += `${pad}p${i}: plain ${r.pick(words)}\n${pad}  continued [ line\n`;
    else out += `${pad}# comment [ { '\n${pad}q${i}: ${quoted(r)}\n`;
  }
  return out;
}

function document(r: SeededRandom): string {
  let out = "";
  for (let d = r.int(1, 3); d > 0; d--) {
    if (r.chance(0.3)) out += r.pick(["%YAML 1.2\n", "%TAG !e! tag:example.com,2000:\n", "%FOO bar\n"]);
    if (r.chance(0.6)) out += r.pick(["---\n", "--- ", "--- !tag ", "--- &a0 ", "--- # c [\n"]);
    out += r.chance(0.2) ? `${flow(r, r.int(1, 6))}\n` : block(r, 0, r.int(1, 6));
    if (r.chance(0.3)) out += "...\n";
  }
  return out;
}

/** The document with a few characters inserted, deleted or repeated: what a hostile sender or a bad edit makes. */
function mutate(r: SeededRandom, text: string): string {
  let s = text;
  for (let k = r.int(1, 6); k > 0; k--) {
    const at = r.int(0, s.length);
    const op = r.int(0, 2);
    if (op === 0)
      s =
        s.slice(0, at) +
        r.pick(["[", "]", "{", "}", "'", '"', ":", "- ", "? ", "#", "&x ", "*x", "!", "|", ">", ",", "\t", "\n", "--- ", "...", "%"]) +
        s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + r.int(1, 4));
    else s = s.slice(0, at) + s.slice(at, at + r.int(1, 6)).repeat(r.int(2, 12)) + s.slice(at);
  }
  return s;
}

describe("YAML bounds over generated documents", () => {
  test(`${CASES} documents (seed ${SEED}): the check is an upper bound of the depth and nodes the parser builds`, () => {
    const r = seededRandom(SEED);
    let deepest = 0;
    for (let i = 0; i < CASES; i++) {
      const base = document(r);
      const text = r.chance(0.5) ? mutate(r, base) : base;
      const real = measure(text);
      deepest = Math.max(deepest, real.depth);
      const what = `case ${i}: ${JSON.stringify(text).slice(0, 300)} (depth ${real.depth}, ${real.nodes} nodes)`;
      // Within its real size it passes nothing less: one below refuses.
      if (real.depth > 0 && yamlBoundsProblem(text, { maxDepth: real.depth - 1 }) === undefined) throw new Error(`${what}: depth not bounded`);
      if (real.nodes > 0 && yamlBoundsProblem(text, { maxDepth: 10_000, maxNodes: real.nodes - 1 }) === undefined)
        throw new Error(`${what}: nodes not bounded`);
      try {
        parseYamlSource(text, "fuzz.yaml", { maxDepth: 64, maxNodes: 10_000, maxAliases: 100 });
      } catch (err) {
        if (!String(err).includes("fuzz.yaml:")) throw new Error(`${what}: ${String(err)}`); // a refusal names where
      }
    }
    expect(deepest).toBeGreaterThan(6);
  }, 120_000);

  test("hostile megabytes of every shape are refused before parsing, in bounded memory", () => {
    const bounds = scheduleFileBounds(1_000);
    Bun.gc(true);
    const rss = process.memoryUsage().rss;
    for (const text of hostileYamlMegabytes(SEED + 1)) expect(() => parseYamlSource(text, "request body", bounds)).toThrow("YAML refused before parsing");
    Bun.gc(true);
    // Parsing such a text took seconds and a gigabyte; a refusal reads a prefix within the bounds only.
    expect((process.memoryUsage().rss - rss) / 1e6).toBeLessThan(200);
  }, 120_000);

  test("a mapping of as many keys as the bounds allow is read whole, and a key twice is refused where it repeats", () => {
    for (const { shape, keys, text } of maxKeyMappings(scheduleFileBounds(1_000))) {
      const src = parseYamlSource(text, "request body", scheduleFileBounds(1_000));
      expect({ shape, keys: Object.keys(src.data as object).length }).toEqual({ shape, keys });
    }
    expect(() => parseYamlSource("a: 1\nb: 2\na: 3\n", "t.yaml")).toThrow('t.yaml:3:1 YAML syntax: the key "a" appears twice in one mapping');
  }, 60_000);
});
