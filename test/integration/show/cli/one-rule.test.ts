// One rule for `config check` and `run` (issue 54): what check refuses, run refuses, with the same lines (file, line,
// key); every problem in one pass, in the order of the file's lines, also when a ${env:…} is not set. Before, `run`
// started with a certificate folder that did not exist (and logged "Steward is running"), a misspelt
// notify.timeZone was accepted by both, and an unset variable hid every other problem.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";

const main = join(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());

async function steward(...args: string[]): Promise<{ code: number; out: string }> {
  const p = startProcess(process.execPath, [main, ...args], { cwd: tmp.path, env: { ...process.env, TEAMS_URL_NOT_SET: "" } });
  const code = await p.exited;
  return { code, out: p.output() };
}

const CONFIG = `http: { port: 0 }
qlik:
  host: sense1.corp.example
  certDir: ./no-such-folder
notify:
  timeZone: Europe/Stokholm
channels:
  ops: { type: teams, webhookUrl: "\${env:STEWARD_TEST_UNSET_TEAMS_URL}" }
routes:
  - { on: [task.failed], to: [ops] }
`;

test("config check: every problem in one pass, each with file, line and key, in line order", async () => {
  const file = join(tmp.path, "steward.yaml");
  writeFileSync(file, CONFIG);
  const r = await steward("config", "check", file);
  expect(r.code).toBe(2);
  const lines = r.out.trim().split("\n");
  expect(lines.map((l) => /^(.*?:\d+:\d+ [^:]+):/.exec(l)?.[1])).toEqual([
    `${file}:4:12 qlik.certDir`,
    `${file}:4:12 qlik.certDir`,
    `${file}:4:12 qlik.certDir`,
    `${file}:6:13 notify.timeZone`,
    `${file}:8:35 channels.ops.webhookUrl`,
  ]);
  expect(r.out).toContain("cannot read the Qlik client certificate");
  expect(r.out).toContain('not an IANA time zone name (e.g. Europe/Stockholm), got "Europe/Stokholm"');
  expect(r.out).toContain("environment variable STEWARD_TEST_UNSET_TEAMS_URL is not set");
  // A consequence of a problem already named (the route's channel was set aside) is not a problem of its own.
  expect(r.out).not.toContain("routes[0]");
});

test("run refuses what check refuses, with the same lines, and never says it is running", async () => {
  const file = join(tmp.path, "steward.yaml");
  writeFileSync(file, CONFIG);
  const check = await steward("config", "check", file);
  const run = await steward("run", "--config", file);
  expect(run.code).toBe(2);
  expect(run.out).not.toContain("Steward is running");
  for (const line of check.out.trim().split("\n")) expect(run.out).toContain(line);
});

test("a missing certificate folder alone: check and run both refuse it", async () => {
  const file = join(tmp.path, "certs-only.yaml");
  writeFileSync(file, "http: { port: 0 }\nqlik: { host: sense1.corp.example, certDir: ./no-such-folder }\n");
  const check = await steward("config", "check", file);
  const run = await steward("run", "--config", file);
  expect([check.code, run.code]).toEqual([2, 2]);
  expect(run.out).toContain(`${file}:2:`);
  expect(run.out).toContain("qlik.certDir: cannot read the Qlik client certificate");
});

test("a problem in one route does not hide those of the other routes", async () => {
  const file = join(tmp.path, "routes.yaml");
  writeFileSync(
    file,
    `channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1 }, from: a@b.c, to: [a@b.c] }
routes:
  - { on: [task.failed], to: [ops-mail], rateLimit: 5 minutes }
  - { on: [task.faild], to: [ops-mail] }
  - { on: [task.failed], to: [ops-mail], renotify: sometimes }
`,
  );
  const r = await steward("config", "check", file);
  expect(r.code).toBe(2);
  const lines = r.out.trim().split("\n");
  // Before, the first one set the whole routes list aside: the other two were found only after fixing it.
  expect(lines.map((l) => /^(.*?:\d+:\d+ [^:]+):/.exec(l)?.[1])).toEqual([
    `${file}:4:53 routes[0].rateLimit`,
    `${file}:5:12 routes[1].on[0]`,
    `${file}:6:52 routes[2].renotify`,
  ]);
});
