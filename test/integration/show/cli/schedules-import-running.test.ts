// `steward schedules import` while Steward runs on the data folder: the curl command it suggests instead goes to
// the configured address (a wildcard listener asked on loopback) and shows where an API key goes, never a key.
// Before, it said http://HOST:PORT and nothing of a key. The printed command, run with the key put in, imports.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp } from "../../../helpers/app";
import { startProcess } from "../../../helpers/child-process";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";

const main = join(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const PLACEHOLDER = "<an API key with the schedules scope>";

async function steward(...args: string[]): Promise<{ code: number; out: string }> {
  const p = startProcess(process.execPath, [main, ...args], { cwd: tmp.path });
  return { code: await p.exited, out: p.output() };
}

test("with API keys: the configured port on loopback, the key's header as a placeholder; the command imports", async () => {
  const port = await freeTcpPort();
  const key = generateApiKey();
  const security = `security:\n  apiKeys:\n    - { name: ops, hash: "${hashApiKey(key, "sha256")}", scopes: [schedules] }\n`;
  const data = join(tmp.path, "keyed");
  const t = createTestApp(`dataDir: ${data}\nhttp: { host: 127.0.0.1, port: ${port} }\n${security}`, { dir: tmp.path });
  await t.app.start();
  try {
    // The same server's config as an administrator would have it: listening on every address.
    const cfg = join(tmp.path, "keyed.yaml");
    writeFileSync(cfg, `dataDir: ${data}\nhttp: { host: 0.0.0.0, port: ${port} }\n${security}`);
    const file = join(tmp.path, "night schedules.yaml");
    writeFileSync(file, `butlerSchedule:\n  - { name: Nightly, cronSchedule: '0 2 * * *', timezone: UTC, qlikSenseTaskId: ${TASK}, id: night }\n`);
    const r = await steward("schedules", "import", file, "--config", cfg, "--replace");
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(key);
    const curl = r.out.split("\n").find((l) => l.trim().startsWith("curl "))!;
    expect(curl.trim()).toBe(
      `curl -X POST --data-binary "@${file}" -H "X-API-Key: ${PLACEHOLDER}" "http://127.0.0.1:${port}/v4/schedules/import?onConflict=replace"`,
    );

    const p = startProcess("sh", ["-c", `${curl.replace(PLACEHOLDER, key)} --silent --show-error --fail`], { cwd: tmp.path });
    expect(await p.exited).toBe(0);
    expect(JSON.parse(p.output())).toMatchObject({ imported: [{ id: "night", name: "Nightly" }] });
    expect(await t.app.scheduler!.get("night")).toMatchObject({ name: "Nightly" });
  } finally {
    await t.close();
  }
});

test("without keys in the config: no header in the command, and where one goes if keys were made at run time", async () => {
  const data = join(tmp.path, "open");
  const t = createTestApp(`dataDir: ${data}\n`, { dir: tmp.path });
  await t.app.start();
  try {
    const cfg = join(tmp.path, "open.yaml");
    writeFileSync(cfg, `dataDir: ${data}\nhttp: { port: 8181 }\n`);
    writeFileSync(join(tmp.path, "schedule.yaml"), "butlerSchedule: []\n");
    const r = await steward("schedules", "import", "schedule.yaml", "--config", cfg);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`\n  curl -X POST --data-binary @schedule.yaml "http://127.0.0.1:8181/v4/schedules/import"\n`);
    expect(r.out).toContain(`(if API keys were made with POST /v4/admin/apikeys, add -H "X-API-Key: ${PLACEHOLDER}")`);
  } finally {
    await t.close();
  }
});
