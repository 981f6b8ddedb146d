// Issue 68, item 4: the demo's own config passes `steward config check` and `steward doctor` from the clone's root,
// as docs/development.md tells a newcomer to run them (`npx bun src/main.ts …`). config/demo.yaml's relative paths
// are read from its folder (config/), as for every config, and name the data/demo folder the demo itself uses.
// Before the demo made its simulator's certificates, the advice is to start the demo, never a QMC export.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEMO_PORTS } from "../../../../src/show/demo/ports";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

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

// A Steward started cold: seconds on a loaded machine, above bun's default limit of five.
test("before the demo ran: config check says to start the demo, not to export certificates from the QMC", { timeout: wallLimit(60_000) }, () => {
  const r = steward(["config", "check", "config/demo.yaml"]);
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(join(clone.path, "data/demo/sim-certs/client.pem"));
  expect(r.out).toContain("Start the demo first");
  expect(r.out).not.toContain("QMC");
});

/**
 * Whether the running demo took every port config/demo.yaml names: the doctor reads that file, so it can only pass
 * when the demo listens there. Other demo tests run beside this one in the suite and may hold one of these ports for a
 * moment; the demo then takes another (as it should), and this test starts it again once they are free.
 */
function onPreferredPorts(): boolean {
  const running = readFileSync(join(clone.path, "data/demo/steward.yaml"), "utf8");
  const ports = [DEMO_PORTS.http, DEMO_PORTS.udp, DEMO_PORTS.qrs, DEMO_PORTS.engine, DEMO_PORTS.smtp, DEMO_PORTS.webhook, DEMO_PORTS.cloud];
  return ports.every((p) => new RegExp(`\\b${p}\\b`).test(running));
}

async function startDemoOnItsPorts(): Promise<RunningProcess> {
  for (let attempt = 1; ; attempt++) {
    const proc = startProcess(process.execPath, [MAIN, "demo"], { cwd: clone.path, env: { ...process.env, NO_COLOR: "1" } });
    await waitFor(
      () =>
        /Dashboard\s+http:\/\/127\.0\.0\.1:\d+\/ui\b/.test(proc.stdout()) ||
        (proc.hasExited() ? Promise.reject(new Error(`demo exited:\n${proc.output()}`)) : undefined),
      { what: "the demo's dashboard URL", timeoutMs: 60_000, intervalMs: 100 },
    );
    if (onPreferredPorts() || attempt === 5) return proc;
    await proc.stop("SIGKILL", 1_000);
    await Bun.sleep(3_000 * attempt);
  }
}

test(
  "while the demo runs: config check and doctor pass from the clone's root",
  async () => {
    demo = await startDemoOnItsPorts();
    // The doctor tries the ports config/demo.yaml names; the demo takes others only when these are taken.
    expect(/Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/ui)\b/.exec(demo.stdout())?.[1]).toBe("http://127.0.0.1:7480/ui");
    expect(onPreferredPorts()).toBe(true);

    const check = steward(["config", "check", "config/demo.yaml"]);
    expect({ code: check.code, out: check.out }).toEqual({ code: 0, out: expect.stringContaining("config/demo.yaml") });

    const doctor = steward(["doctor", "--config", "config/demo.yaml"]);
    expect({ code: doctor.code, out: doctor.out }).toEqual({ code: 0, out: expect.stringMatching(/All \d+ checks passed\./) });
    expect(doctor.out).not.toContain("QMC");
  },
  wallLimit(240_000),
);
