// Bench section: the datagram parser on its worst inputs — every pathological 64 KB shape of
// test/fixtures/hostile-datagrams.ts (64 KB of `;`, tens of thousands of fields, 64 KB names, control
// characters, invalid UTF-8). Reports the slowest shape; the bare figure decodes and splits the same datagram.
// Runs in-process (no binary needed): `bun scripts/bench-parse.ts` prints every shape.
import { parseDatagram } from "../src/hear/intake/datagram-parser";
import { hostileDatagrams } from "../test/fixtures/hostile-datagrams";
import type { Figure } from "./bench-report";

const WARMUP = 50;
const ROUNDS = 300;

export interface ParseShapeResult {
  shape: string;
  stewardMs: number;
  bareMs: number;
}

const decoder = new TextDecoder();

/** Mean time of one call, after a warm-up (the first calls run before the JIT has compiled the code). */
function meanMs(fn: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  return (performance.now() - start) / ROUNDS;
}

export function measureParseShapes(): ParseShapeResult[] {
  return Object.entries(hostileDatagrams()).map(([shape, d]) => ({
    shape,
    stewardMs: meanMs(() => parseDatagram(d)),
    bareMs: meanMs(() => (typeof d === "string" ? d : decoder.decode(d)).split(";")),
  }));
}

export function runParseSection(log: (line: string) => void): { figures: Figure[]; raw: ParseShapeResult[] } {
  const raw = measureParseShapes();
  const worst = raw.reduce((a, b) => (b.stewardMs > a.stewardMs ? b : a));
  const median = [...raw].sort((a, b) => a.stewardMs - b.stewardMs)[Math.floor(raw.length / 2)]!;
  log(`parser: worst of ${raw.length} hostile 64 KB shapes ${worst.stewardMs.toFixed(3)} ms (${worst.shape})`);
  return {
    raw,
    figures: [
      {
        metric: "Parse one hostile 64 KB datagram (worst shape)",
        unit: "ms",
        steward: worst.stewardMs,
        baseline: worst.bareMs,
        note: `slowest of ${raw.length} shapes (${worst.shape}; median ${median.stewardMs.toFixed(3)} ms); bare: decode and split(";") only`,
      },
    ],
  };
}

if (import.meta.main) {
  const { raw } = runParseSection((line) => console.log(`[bench] ${line}`));
  for (const r of raw) console.log(`${r.stewardMs.toFixed(3).padStart(8)} ms  bare ${r.bareMs.toFixed(3).padStart(7)} ms  ${r.shape}`);
}
