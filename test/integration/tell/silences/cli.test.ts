// `steward silence` as an admin runs it (a child process) against a running Steward with API keys: add, list, show
// and end, with the caller's key named as the author in the audit log; a missing or weaker key is refused (exit 1)
// and bad usage exits 2.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startProcess } from "../../../helpers/child-process";

const main = join(import.meta.dir, "../../../../src/main.ts");
const admin = generateApiKey();
const reader = generateApiKey();
let t: TestApp;
let url: string;

beforeAll(async () => {
  t = createTestApp(`http:\n  host: 127.0.0.1\n  port: 0\nsecurity:\n  apiKeys:
    - { name: ops-admin, hash: "${hashApiKey(admin)}", scopes: [admin] }
    - { name: reader, hash: "${hashApiKey(reader)}", scopes: [kv.read] }
`);
  await t.app.start();
  url = t.app.server!.url();
});
afterAll(async () => {
  await t?.close();
});

async function steward(env: Record<string, string>, ...args: string[]) {
  const p = startProcess(process.execPath, [main, "silence", ...args], { cwd: t.dir, env: { ...process.env, ...env } });
  const code = await p.exited;
  return { code, out: p.output() };
}

test("add, list, show and end a silence through the running Steward", async () => {
  const env = { STEWARD_URL: url, STEWARD_API_KEY: admin };
  const add = await steward(env, "add", "--task", "Sales*", "--node", "qlik2", "--for", "2h", "--reason", "patching qlik2");
  expect(add.out).toContain("Silence created:");
  expect(add.out).toContain("#1  active");
  expect(add.out).toContain("task names Sales*; nodes qlik2  (ops-admin: patching qlik2)");
  expect(add.code).toBe(0);

  const list = await steward(env, "list", "--state", "active");
  expect(list.code).toBe(0);
  expect(list.out).toContain("#1  active");
  const show = await steward(env, "show", "1", "--json");
  expect(JSON.parse(show.out)).toMatchObject({ id: 1, reason: "patching qlik2", suppressed: [] });

  const end = await steward(env, "end", "1");
  expect(end.code).toBe(0);
  expect(end.out).toContain("#1  ended");
  const again = await steward(env, "end", "1");
  expect(again.code).toBe(1);
  expect(again.out).toContain("HTTP 409");

  const audit = (await (await t.request("/v4/audit?action=api.write&limit=10", { headers: { "x-api-key": admin } })).json()) as {
    entries: Array<{ actor: { name: string }; target: string; result: string }>;
  };
  expect(audit.entries.filter((e) => e.result === "ok").map((e) => `${e.actor.name} ${e.target}`)).toEqual([
    "ops-admin DELETE /v4/silences/1",
    "ops-admin POST /v4/silences",
  ]);
}, 60_000);

test("a key without scope admin, no key, a bad duration and bad usage are refused", async () => {
  const weak = await steward({ STEWARD_URL: url, STEWARD_API_KEY: reader }, "list");
  expect(weak.code).toBe(1);
  expect(weak.out).toContain("HTTP 403");
  const none = await steward({ STEWARD_URL: url, STEWARD_API_KEY: "" }, "list");
  expect(none.code).toBe(1);
  expect(none.out).toContain("HTTP 401");
  const bad = await steward({ STEWARD_URL: url, STEWARD_API_KEY: admin }, "add", "--kind", "task.failed", "--for", "soon", "--reason", "x");
  expect(bad.code).toBe(1);
  expect(bad.out).toContain("duration");
  const usage = await steward({ STEWARD_URL: url }, "add", "--for", "1h", "--reason", "x");
  expect(usage.code).toBe(2);
  expect(usage.out).toContain("say what to silence");
}, 60_000);

test("add echoes its times in the offset they were given in, never as ISO; list says them on the site's clock", async () => {
  const env = { STEWARD_URL: url, STEWARD_API_KEY: admin };
  // Tomorrow 22:00 to 02:00 at +01:00, whatever today is: a window that has not begun.
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const from = `${day}T22:00:00+01:00`;
  const until = `${next}T02:00:00+01:00`;
  const add = await steward(env, "add", "--node", "qlik3", "--from", from, "--until", until, "--reason", "patching qlik3");
  expect(add.code).toBe(0);
  expect(add.out).toContain(`pending  ${day} 22:00 +01:00 → ${next} 02:00 +01:00  nodes qlik3`);
  expect(add.out).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
  // The same silence listed, with no zone typed: on the site's clock (the config names none: the machine's, Kolkata).
  const list = await steward({ ...env, TZ: "Asia/Kolkata" }, "list", "--state", "pending");
  expect(list.code).toBe(0);
  expect(list.out).toContain(`pending  ${next} 02:30 +05:30 → ${next} 06:30 +05:30  nodes qlik3`);
  expect(list.out).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
}, 60_000);
