// Config planted beside the service: a steward.env with STEWARD_HTTP__HOST=0.0.0.0 and
// STEWARD_SECURITY__ALLOW_UNAUTHENTICATED=true next to a harmless steward.yaml. `steward run` refuses to start
// (exit 2, naming the file and the variables), a running Steward refuses the config reload and keeps serving as
// before, and a file that lists the setting under security.allowEnvOverrides lets the same variable through.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../../src/app";
import { loadConfigFile } from "../../../../src/composition/config";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { inProcessEnv } from "../../../../src/platform/http/types";
import { startProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";

const main = join(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());

const PLANT = "STEWARD_HTTP__HOST=0.0.0.0\nSTEWARD_SECURITY__ALLOW_UNAUTHENTICATED=true\n";
/** The environment of a child Steward without any STEWARD_* variable of this test run's own. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("STEWARD_")));

test("steward run refuses a planted steward.env: exit 2, naming the file and the variable", async () => {
  const dir = join(tmp.path, "run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "steward.yaml"), "dataDir: ./data\nhttp: { port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n");
  writeFileSync(join(dir, "steward.env"), PLANT);
  const p = startProcess(process.execPath, [main, "run", "--config", join(dir, "steward.yaml")], { cwd: dir, env: cleanEnv() });
  const code = await p.exited;
  expect(code).toBe(2);
  expect(p.output()).toContain(`environment variable STEWARD_HTTP__HOST (from ${join(dir, "steward.env")}) sets http.host`);
  expect(p.output()).not.toContain("listening");
});

test("a running Steward refuses the reload after the plant and keeps its loopback, keyed config", async () => {
  const dir = join(tmp.path, "reload");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "steward.yaml");
  writeFileSync(file, "dataDir: ./data\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n");
  const app = createApp(loadConfigFile(file, { env: cleanEnv() }), { log: createSilentLogger() });
  await app.start();
  try {
    writeFileSync(join(dir, "steward.env"), PLANT);
    const res = await app.http.hono.request("/v4/admin/reload", { method: "POST" }, inProcessEnv());
    const body = (await res.json()) as { error?: string; code?: string };
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(body)).toContain("STEWARD_HTTP__HOST");
    expect(app.config.http.host).toBe("127.0.0.1");
    expect(app.config.security.allowUnauthenticated).toBe(false);
  } finally {
    await app.stop();
  }
});

test("the config file may allow the listen address from steward.env, and only what it lists", () => {
  const dir = join(tmp.path, "allowed");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "steward.yaml");
  writeFileSync(file, "security: { allowEnvOverrides: [http.host] }\n");
  writeFileSync(join(dir, "steward.env"), "STEWARD_HTTP__HOST=0.0.0.0\n");
  expect(loadConfigFile(file).config.http.host).toBe("0.0.0.0");
  writeFileSync(join(dir, "steward.env"), PLANT);
  expect(() => loadConfigFile(file)).toThrow(
    `environment variable STEWARD_SECURITY__ALLOW_UNAUTHENTICATED (from ${join(dir, "steward.env")}) sets security.allowUnauthenticated`,
  );
});
