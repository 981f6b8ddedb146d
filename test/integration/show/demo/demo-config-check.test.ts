// Issue 68, item 4: the demo's own config passes `steward config check` and `steward doctor` from the clone's root,
// as docs/development.md tells a newcomer to run them (`npx bun src/main.ts …`). config/demo.yaml's relative paths
// are read from its folder (config/), as for every config, and name the data/demo folder the demo itself uses.
// Before the demo made its simulator's certificates, the advice is to start the demo, never a QMC export.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const ROOT = resolve(import.meta.dir, "../../../..");
const MAIN = join(ROOT, "src/main.ts");
const clone = createTempDir("steward-demo-clone-");
let demo: RunningProcess | undefined;

beforeAll(() => {
  mkdirSync(join(clone.path, "config"));
  copyFileSync(join(ROOT, "config/demo.yaml"), join(clone.path, "config/demo.yaml"));
});

afterAll(async () => {
  await demo?.stop("SIGKILL", 1_000);
  clone.remove();
});

/** `npx bun src/main.ts <args>` from the clone's root. */
function steward(args: string[]): { code: number; out: string } {
  const r = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: clone.path, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.exitCode ?? -1, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

test("before the demo ran: config check says to start the demo, not to export certificates from the QMC", () => {
  const r = steward(["config", "check", "config/demo.yaml"]);
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(join(clone.path, "data/demo/sim-certs/client.pem"));
  expect(r.out).toContain("Start the demo first");
  expect(r.out).not.toContain("QMC");
});

test("while the demo runs: config check and doctor pass from the clone's root", async () => {
  demo = startProcess(process.execPath, [MAIN, "demo"], { cwd: clone.path, env: { ...process.env, NO_COLOR: "1" } });
  const dashboard = await waitFor(
    () =>
      /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/ui)\b/.exec(demo!.stdout())?.[1] ??
      (demo!.hasExited() ? Promise.reject(new Error(`demo exited:\n${demo!.output()}`)) : undefined),
    { what: "the demo's dashboard URL", timeoutMs: 60_000, intervalMs: 100 },
  );
  // The doctor tries the ports config/demo.yaml names; the demo takes others only when these are taken.
  expect(dashboard).toBe("http://127.0.0.1:7480/ui");

  const check = steward(["config", "check", "config/demo.yaml"]);
  expect({ code: check.code, out: check.out }).toEqual({ code: 0, out: expect.stringContaining("config/demo.yaml") });

  const doctor = steward(["doctor", "--config", "config/demo.yaml"]);
  expect({ code: doctor.code, out: doctor.out }).toEqual({ code: 0, out: expect.stringMatching(/All \d+ checks passed\./) });
  expect(doctor.out).not.toContain("QMC");
}, 120_000);
