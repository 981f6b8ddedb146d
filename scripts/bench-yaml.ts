// How long the YAML bounds take on what a hostile sender makes (issue 78 moved these figures out of
// test/unit/platform/config/yaml-bounds-fuzz.test.ts, where a 3 s bound failed on a machine at load 20): the slowest
// refusal of 40 hostile megabytes, and the whole read (check, parse, duplicate keys) of a mapping of as many keys as
// a schedule import's bounds allow, per way of writing a key. The bounds this was tuned to: a refusal within 3 s
// (it took seconds and a gigabyte before the check), a full mapping within 3 s (the duplicate check was quadratic).
//   bun scripts/bench-yaml.ts
import { readFileSync } from "node:fs";
import { parseYamlSource } from "../src/platform/config/yaml-source";
import { scheduleFileBounds } from "../src/start/scheduler/butler-import";
import { hostileYamlMegabytes, maxKeyMappings } from "../test/fixtures/hostile-yaml";

const bounds = scheduleFileBounds(1_000);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`load average before: ${load()}`);

let slowest = 0;
for (const text of hostileYamlMegabytes(41_007)) {
  const t0 = performance.now();
  try {
    parseYamlSource(text, "request body", bounds);
    throw new Error("a hostile megabyte was not refused");
  } catch (err) {
    if (!String(err).includes("YAML refused before parsing")) throw err;
  }
  slowest = Math.max(slowest, performance.now() - t0);
}
console.log(`hostile megabytes (40, seed 41,007): slowest refusal ${slowest.toFixed(1)} ms (bound 3,000 ms)`);

for (const { shape, keys, text } of maxKeyMappings(bounds)) {
  const t0 = performance.now();
  parseYamlSource(text, "request body", bounds);
  console.log(`a mapping of ${keys.toLocaleString("en")} keys, ${shape}: ${(performance.now() - t0).toFixed(1)} ms (bound 3,000 ms)`);
}
console.log(`load average after: ${load()}`);
