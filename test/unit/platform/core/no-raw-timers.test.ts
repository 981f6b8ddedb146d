// Every timer of Steward goes through a Clock (src/platform/core/clock.ts): a module that arms a raw timer fails here, as
// it fails Biome's noRestrictedGlobals rule (biome.jsonc), so tests and the stepped simulation control all time.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dir, "../../../..");
/**
 * clock.ts is where timers are made and stepped-clock.ts the simulation's clock (its methods are named setTimeout);
 * the runtime adapters name the runtime's own; client-script.ts is browser code in a string.
 */
const ALLOWED = [
  /^src\/platform\/core\/clock\.ts$/,
  /^src\/platform\/core\/stepped-clock\.ts$/,
  /^src\/platform\/runtime\//,
  /^src\/show\/dashboard\/client-script\.ts$/,
];
const RAW = /(?<![.\w])(setTimeout|setInterval|clearTimeout|clearInterval)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

export function rawTimers(text: string): number[] {
  return text.split("\n").flatMap((line, i) => (RAW.test(line.replace(/\/\/.*$/, "")) ? [i + 1] : []));
}

test("no module outside src/platform/core/clock.ts and src/platform/runtime arms a raw timer", () => {
  const found: string[] = [];
  for (const file of sources(join(ROOT, "src"))) {
    const rel = relative(ROOT, file).split("\\").join("/");
    if (ALLOWED.some((a) => a.test(rel))) continue;
    for (const line of rawTimers(readFileSync(file, "utf8"))) found.push(`${rel}:${line}`);
  }
  expect(found).toEqual([]);
});

test("the check sees a raw timer, and not one armed on a clock", () => {
  expect(rawTimers("const t = setTimeout(fn, 10);\nclearInterval(x);")).toEqual([1, 2]);
  expect(rawTimers("const t = clock.setTimeout(fn, 10);\nwallClock.clearTimeout(t); // setTimeout( in a comment")).toEqual([]);
});
