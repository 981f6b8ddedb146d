// Issue 88 point 1: in the demo, the noise report's Apply answered 409 "Steward runs on its built-in defaults (no
// --config file)": the demo's Steward ran on config/demo.yaml's text, not on a file, so a reload and an applied
// proposal had nothing to read or change. It now runs from the file it writes into its data folder.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import demoYaml from "../../../../config/demo.yaml" with { type: "text" };
import { loggerFor } from "../../../../src/show/cli/logging";
import { startDemo, type RunningDemo } from "../../../../src/show/demo/run-demo";
import { createDemoTerminal } from "../../../../src/show/demo/terminal";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

let dir: TempDir;
let demo: RunningDemo;
const lines: string[] = [];

beforeAll(async () => {
  dir = createTempDir("steward-demo-file-");
  demo = await startDemo({
    yaml: demoYaml,
    baseDir: dir.path,
    anyPorts: true,
    terminal: createDemoTerminal({ write: (l) => lines.push(l), colour: false }),
    logger: (loaded) => loggerFor({ logging: { ...loaded.config.logging, format: "json" } }, {}, loaded.secrets, (l) => lines.push(l)),
  });
}, 120_000);

afterAll(async () => {
  await demo?.stop();
  dir?.remove();
});

test("the demo's Steward runs from a file in its data folder: a reload reads it, where it answered 409 before", async () => {
  const res = await fetch(`${demo.urls.steward}/v4/admin/reload`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, error: body.error }).toEqual({ status: 200, error: undefined });

  const file = join(dir.path, "data/demo/steward.yaml");
  const written = parse(readFileSync(file, "utf8")) as { dataDir: string; http: { port: number } };
  expect(written.dataDir).toBe(join(dir.path, "data/demo"));
  expect(`http://127.0.0.1:${written.http.port}`).toBe(demo.urls.steward);
}, 60_000);
