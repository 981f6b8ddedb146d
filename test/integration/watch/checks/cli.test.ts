// `steward checks run` and `steward config check` as an administrator runs them (a child process) against the
// simulator: the values of one app's checks and exit code 0 or 1, JSON output, previous values from the store,
// usage errors; an expectation that does not parse is a config error at its line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { checksMigrations, createCheckStore } from "../../../../src/watch/checks/check-store";
import { openStore } from "../../../../src/platform/store/database";
import { startProcess } from "../../../helpers/child-process";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { CHECKS_YAML, ID, SITE } from "./harness";
import { simCertDir } from "../../../helpers/sim-certs";
import { wallLimit } from "../../../helpers/time-limit";

const MAIN = join(import.meta.dir, "../../../../src/main.ts");
let dir: TempDir;
let sim: Simulator;
let config: string;

beforeAll(async () => {
  dir = createTempDir("steward-checks-cli-");
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(dir.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  config = join(dir.path, "steward.yaml");
  writeFileSync(
    config,
    `dataDir: ./data\nqlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  enginePort: ${sim.ports.engine}\n  certDir: ${JSON.stringify(sim.certDir)}\n  retries: 0\n${CHECKS_YAML}`,
  );
}, wallLimit(30_000));
afterAll(async () => {
  await sim?.stop();
  dir?.remove();
});

async function steward(...args: string[]): Promise<{ code: number; out: string }> {
  const p = startProcess(process.execPath, [MAIN, ...args], { cwd: dir.path });
  const code = await p.exited;
  return { code, out: p.output() };
}

describe("steward checks run", () => {
  test("by app name: every applicable check with its value and expectation; all pass → exit 0; nothing is sent", { timeout: wallLimit(30_000) }, async () => {
    await simControl(sim, "PUT", `/apps/${ID.orders}/expressions`, {
      "NoOfRows('Orders')": 118204,
      "Max(OrderDate)": { text: "2026-11-21", number: 46347 },
      "Today()": { text: "2026-11-22", number: 46348 },
    });
    const r = await steward("checks", "run", "--app", "Orders", "--config", config);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Orders (${ID.orders}) on the Engine at 127.0.0.1: 2 checks`);
    expect(r.out).toMatch(/ok {5}orders-not-empty {2}NoOfRows\('Orders'\) = 118204 {3}expected > 0 {3}previous none {3}\[block\]/);
    expect(r.out).toMatch(/ok {5}fresh-orders {6}Max\(OrderDate\) = 2026-11-21 \(46347\) {3}expected >= Today\(\) - 1 \(>= 46347\)/);
  });

  test("a failing and an unevaluable check → exit 1; --json; --check evaluates a check not attached to the app", { timeout: wallLimit(30_000) }, async () => {
    await simControl(sim, "PUT", `/apps/${ID.orders}/expressions`, { "NoOfRows('Orders')": 0 });
    const r = await steward("checks", "run", "--app", ID.orders, "--config", config, "--json", "--check", "orders-not-empty", "--check", "currency");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { app: { name: string }; checks: Array<{ name: string; status: string; value: unknown; message: string | null }> };
    expect(j.app.name).toBe("Orders");
    expect(j.checks.map((c) => [c.name, c.status])).toEqual([
      ["orders-not-empty", "failed"],
      ["currency", "error"],
    ]);
    expect(j.checks[1]!.message).toStartWith("Error in expression: ");
  });

  test("previous values come from the store when it can be opened", { timeout: wallLimit(30_000) }, async () => {
    const store = openStore(join(dir.path, "data"), [checksMigrations]);
    const s = createCheckStore(store.sql);
    await s.insertRun(
      {
        runId: "task:x",
        reload: { kind: "task", id: "x" },
        app: { id: ID.orders, name: "Orders", tags: [], customProperties: [] },
        checks: ["orders-not-empty"],
      },
      "n",
      1,
    );
    await s.finish(
      "task:x",
      [
        {
          runId: "task:x",
          appId: ID.orders,
          check: "orders-not-empty",
          expression: "NoOfRows('Orders')",
          at: 1,
          status: "passed",
          value: { text: "42", number: 42 },
          previous: null,
          expect: "> 0",
          resolved: "> 0",
          message: null,
        },
      ],
      "passed",
      {
        runId: "task:x",
        reload: { kind: "task", id: "x" },
        app: { id: ID.orders, name: "Orders", tags: [], customProperties: [] },
        checks: ["orders-not-empty"],
      },
      1,
    );
    store.close();
    const r = await steward("checks", "run", "--app", "Orders", "--config", config, "--check", "orders-not-empty");
    expect(r.out).toContain("previous 42");
  });

  test("usage errors → 2: no --app, an unknown check; an unknown app → 1 with what QRS said", { timeout: wallLimit(30_000) }, async () => {
    expect((await steward("checks", "run", "--config", config)).code).toBe(2);
    const unknown = await steward("checks", "run", "--app", "Orders", "--config", config, "--check", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("no check named nope");
    const noApp = await steward("checks", "run", "--app", "No such app", "--config", config);
    expect(noApp.code).toBe(1);
    expect(noApp.out).toContain('no app named "No such app" in QRS');
  });
});

test("config check: an expectation that does not parse → exit 2 naming the file, line and key", { timeout: wallLimit(30_000) }, async () => {
  const bad = join(dir.path, "bad.yaml");
  writeFileSync(
    bad,
    `qlik:\n  host: 127.0.0.1\n  certDir: ${JSON.stringify(sim.certDir)}\ndataChecks:\n  checks:\n    - name: rows\n      expression: NoOfRows('Orders')\n      expect: ">= 0.8 * previos"\n      apps: [Orders]\n`,
  );
  const r = await steward("config", "check", bad);
  expect(r.code).toBe(2);
  expect(r.out).toContain('bad.yaml:8:15 dataChecks.checks[0].expect: expectation: unknown name "previos" at position 10');
});
