// Issue 88 point 1: in the demo, the noise report's Apply answered 409 "Steward runs on its built-in defaults (no
// --config file)": the demo's Steward ran on config/demo.yaml's text, not on a file, so a reload and an applied
// proposal had nothing to read or change. It now runs from the file it writes into its data folder.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { startTestDemo, type TestDemo } from "../../../helpers/test-demo";

let site: TestDemo | undefined;
let demo: TestDemo["demo"];
let dir: TestDemo["dir"];

beforeAll(async () => {
  site = await startTestDemo("steward-demo-file-");
  ({ demo, dir } = site);
}, 120_000);

afterAll(async () => {
  await site?.stop();
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
