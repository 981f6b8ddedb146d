// Imports flow one way through the seven wings (issue 56, DESIGN.md): show → start, keep → watch → tell → hear →
// platform. A wing imports the wings below it and never one above; what flows back up travels as events on the bus.
// The composition root (src/app.ts, src/main.ts, src/composition, src/store-migrations.ts) builds every wing and sits
// above them all; the simulator (src/sim) stands on platform and is started by show (the demo, `steward sim`).
// Every import against the flow is listed below with its reason; a new one fails, and so does a listed one that is
// gone (the list only shrinks).
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../../src");
const RANK: Record<string, number> = { platform: 0, hear: 1, tell: 2, watch: 3, start: 4, keep: 4, sim: 4.5, show: 5, root: 6 };

/** "from -> to" (paths under src/) against the flow, each with why it stays for now. */
const APP =
  "the commands that run Steward build it from the composition root (the process's entry: run, the Windows service, config check's trial build, the demo)";
const SAMPLES =
  "template checks and the notification schema need a sample of every event kind, built by the wing that raises it; to go when the samples are assembled by the composition root";
const MQTT = "Qlik Cloud reloads started by MQTT command take the broker connection of start/mqtt; to go when its interface moves to the platform";
const AGAINST_THE_FLOW: Record<string, string> = {
  "hear/cloud/mqtt-start.ts -> start/mqtt/mqtt-client.ts": MQTT,
  "hear/cloud/setup.ts -> start/mqtt/mqtt-client.ts": MQTT,
  "platform/http/app.ts -> show/help/index.ts":
    "the /help pages are served by the HTTP core's app itself (before any route and its checks); to go when the composition root registers them",
  "show/cli/config-commands.ts -> app.ts": APP,
  "show/cli/run.ts -> app.ts": APP,
  "show/cli/schedules-command.ts -> store-migrations.ts":
    "`steward schedules import` opens a stopped Steward's store, whose migrations the composition root lists",
  "show/cli/service-run.ts -> app.ts": APP,
  "show/cli/steward-config.ts -> composition/config.ts":
    "the commands a person types (run, config check, explain and schema, the service, the demo) read the config file with the schema the composition root assembles from the features' sections; this file is their one door to it",
  "show/demo/cluster-demo.ts -> app.ts": APP,
  "show/demo/run-demo.ts -> app.ts": APP,
  "tell/notify/check.ts -> watch/checkins/samples.ts": SAMPLES,
  "tell/notify/check.ts -> watch/freshness/samples.ts": SAMPLES,
  "tell/notify/event-schema.ts -> watch/checkins/samples.ts": SAMPLES,
  "tell/notify/event-schema.ts -> watch/freshness/samples.ts": SAMPLES,
  "tell/notify/samples.ts -> watch/watchdog/watchdog-event.ts": SAMPLES,
};

export function wingOf(file: string): string {
  const parts = relative(SRC, file).split("/");
  if (parts.length === 1 || parts[0] === "composition") return "root";
  return parts[0]!;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name) && !d.name.endsWith(".d.ts"))
    .map((d) => join(d.parentPath, d.name));
}

/** Relative imports, re-exports and dynamic imports of a file, resolved to files; type-only ones included. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
    const base = resolve(dirname(file), m[1]!);
    const hit = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts"), base].find((p) => /\.tsx?$/.test(p) && existsSync(p));
    if (hit) out.push(hit);
  }
  return out;
}

/** Whether an import from `a` to `b` goes against the flow: up a wing, or across to a sibling wing. */
export function againstTheFlow(a: string, b: string): boolean {
  const wa = wingOf(a);
  const wb = wingOf(b);
  if (wa === wb) return false;
  return RANK[wb]! > RANK[wa]! || RANK[wb] === RANK[wa];
}

function againstNow(): string[] {
  const out: string[] = [];
  for (const f of sourceFiles())
    for (const dep of importsOf(f, readFileSync(f, "utf8")))
      if (dep.startsWith(SRC) && againstTheFlow(f, dep)) out.push(`${relative(SRC, f)} -> ${relative(SRC, dep)}`);
  return [...new Set(out)].sort();
}

test("the finder sees an import against the flow, and none along it", () => {
  expect(againstTheFlow(join(SRC, "platform/config/load.ts"), join(SRC, "tell/notify/index.ts"))).toBe(true);
  expect(againstTheFlow(join(SRC, "start/control/x.ts"), join(SRC, "keep/kv/y.ts"))).toBe(true);
  expect(againstTheFlow(join(SRC, "show/cli/x.ts"), join(SRC, "platform/core/clock.ts"))).toBe(false);
  expect(againstTheFlow(join(SRC, "composition/wiring.ts"), join(SRC, "show/dashboard/index.ts"))).toBe(false);
  expect(importsOf(join(SRC, "x.ts"), 'import type { A } from "./platform/core/clock";\nconst m = await import("./show/cli/run");\n')).toEqual([
    join(SRC, "platform/core/clock.ts"),
    join(SRC, "show/cli/run.ts"),
  ]);
});

test("fewer than 20 imports against the flow, each listed with its reason", () => {
  expect(Object.keys(AGAINST_THE_FLOW).length).toBeLessThan(20);
  for (const why of Object.values(AGAINST_THE_FLOW)) expect(why.length).toBeGreaterThan(20);
});

test("every import against the flow is listed with its reason, and every listed one still exists", () => {
  const now = againstNow();
  expect(now.filter((x) => !(x in AGAINST_THE_FLOW))).toEqual([]);
  expect(Object.keys(AGAINST_THE_FLOW).filter((x) => !now.includes(x))).toEqual([]);
});

test("each feature owns its config section: the composition root assembles the schema from the features' config.ts", () => {
  const file = join(SRC, "composition/config-schema.ts");
  const from = importsOf(file, readFileSync(file, "utf8")).map((f) => relative(SRC, f));
  expect(from.length).toBeGreaterThan(20);
  expect(from.filter((f) => !/^(hear|tell|watch|start|keep|show|platform)\/[a-z-]+\/([a-z-]+-)?config\.ts$/.test(f))).toEqual([]);
  // The loader knows no feature: nothing under platform/config is a section.
  expect(existsSync(join(SRC, "platform/config/sections"))).toBe(false);
  expect(from.filter((f) => f.startsWith("platform/config/"))).toEqual([]);
});
