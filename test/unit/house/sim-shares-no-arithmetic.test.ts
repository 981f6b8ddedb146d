// The simulator tests the watchdog, so it shares none of the arithmetic it tests (issue 59): src/sim imports nothing of
// Steward's trigger reading, calendar or zone code, directly or through another module of Steward's. Only the clock
// and other infrastructure both run on, and the Qlik Cloud RRULE reader (not yet written twice), each named below with
// its reason, are allowed.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../../src");
const SIM = join(SRC, "sim");

/** Modules of Steward's the simulator may import, each with the reason. */
const ALLOWED: Record<string, string> = {
  "platform/core/clock.ts": "the injected clock: infrastructure the simulator and Steward both run on, no arithmetic of Qlik's",
  "platform/core/stepped-clock.ts": "the stepped clock of simulations",
  "platform/core/rrule.ts": "Qlik Cloud's RRULE schedules: the simulated tenant still uses Steward's reader (a known gap, see src/sim/README.md)",
  "platform/core/time-zone.ts": "used by core/rrule.ts only (above)",
  "platform/config/yaml-bounds.ts":
    "the YAML reader's limits on size and depth, and the document composed from the tokens they checked (reading a site file safely, no Qlik arithmetic)",
  "platform/runtime/index.ts": "the runtime shim (Bun or Deno): servers and sockets",
};

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
    const base = resolve(dirname(file), m[1]!);
    const hit = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts"), base].find((p) => existsSync(p) && p.endsWith(".ts"));
    if (hit) out.push(hit);
  }
  return out;
}

test("src/sim reaches no module of Steward's outside the allowed ones, directly or through one", () => {
  const start = readdirSync(SIM, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .map((d) => join(d.parentPath, d.name));
  const seen = new Set<string>();
  const outside = new Map<string, string>();
  const todo = [...start];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const dep of importsOf(f)) {
      if (!dep.startsWith(SRC)) continue;
      const rel = relative(SRC, dep);
      if (!rel.startsWith("sim/")) {
        if (!ALLOWED[rel]) outside.set(rel, relative(SRC, f));
        continue; // an allowed module's own imports are its business
      }
      todo.push(dep);
    }
  }
  expect([...outside].map(([mod, by]) => `${mod} (imported by ${by})`)).toEqual([]);
});
