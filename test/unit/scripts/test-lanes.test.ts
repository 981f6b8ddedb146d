// npm test's two lanes (scripts/test-lanes.ts): the waiting files measured from a --cpu-report log, and the two lanes'
// arguments run by the real bun test over a folder of test files: every file runs once, in the lane it belongs to.
import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { laneEnv, lanesFor, measureWaiting, WAITING_FILES_PATH, WORKERS_ENV, waitingFiles, waitingJson } from "../../../scripts/test-lanes";
import { listTestFiles } from "../../../scripts/test-output";
import { createTempDir } from "../../helpers/temp-dir";

const REPO_ROOT = resolve(import.meta.dir, "../../..");

test("a file waits when at least 70 % of at least 8 s of its wall time was asleep; the list is written one file a line", () => {
  const dir = createTempDir("lanes-log");
  const log = join(dir.path, "cpu.jsonl");
  const rows = [
    { file: "/r/test/a.test.ts", cpuS: 2, wallS: 20, waitS: 1 }, // 85 % asleep
    { file: "/r/test/b.test.ts", cpuS: 6, wallS: 20, waitS: 1 }, // 65 %
    { file: "/r/test/c.test.ts", cpuS: 0.1, wallS: 6, waitS: 0 }, // short
    { file: "/r/test/d.test.ts", cpuS: 1, wallS: 40, waitS: 11 }, // 70 % exactly
    { shared: "postgres", cpuS: 100 },
  ];
  writeFileSync(log, rows.map((r) => JSON.stringify(r)).join("\n"));
  const files = measureWaiting("/r", log);
  expect(files.map((f) => f.file)).toEqual(["test/d.test.ts", "test/a.test.ts"]);
  expect(files[1]).toEqual({ file: "test/a.test.ts", wallS: 20, cpuS: 2, asleepS: 17 });
  const json = waitingJson("why", files);
  expect(json.split("\n")).toHaveLength(8);
  expect(JSON.parse(json)).toEqual({ note: "why", files });
  dir.remove();
});

test("the repository's waiting files exist and are test files; the computing lane leaves out exactly those", () => {
  const waiting = waitingFiles(REPO_ROOT);
  expect(waiting.length).toBeGreaterThan(0);
  const all = new Set(listTestFiles(REPO_ROOT));
  for (const f of waiting) expect(all.has(f)).toBe(true);
  const [computing, waitingLane] = lanesFor(REPO_ROOT, 5);
  expect(computing!.workers).toBe(5);
  expect(computing!.fileArgs.filter((a) => a.startsWith("--path-ignore-patterns="))).toHaveLength(waiting.length);
  expect(waitingLane!.fileArgs).toEqual(waiting.map((f) => `./${f}`));
  // The computing files share each worker's global; the sleeping ones keep their own.
  expect([computing!.sharedGlobals, waitingLane!.sharedGlobals]).toEqual([true, false]);
});

test("run by bun test, the two lanes' arguments run every file once, each in its lane", async () => {
  const dir = createTempDir("lanes-run");
  const names = ["test/unit/a.test.ts", "test/unit/ab.test.ts", "test/integration/x/slow.test.ts", "test/integration/x/slower.test.ts"];
  for (const n of names) {
    mkdirSync(join(dir.path, n, ".."), { recursive: true });
    writeFileSync(join(dir.path, n), `import { test } from "bun:test";\ntest("ran ${n}", () => {});\n`);
  }
  // a.test.ts is a prefix of ab.test.ts's name and slow of slower's: only the listed file may be left out.
  const waiting = [{ file: "test/unit/a.test.ts" }, { file: "test/integration/x/slow.test.ts" }];
  writeFileSync(join(dir.path, WAITING_FILES_PATH), waitingJson("test", waiting));
  const lanes = lanesFor(dir.path, 2);
  expect(lanes.map((l) => l.name)).toEqual(["computing", "waiting"]);
  const ran = async (args: string[]) => {
    const p = Bun.spawn([process.execPath, "test", ...args], { cwd: dir.path, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const out = (await new Response(p.stdout).text()) + (await new Response(p.stderr).text());
    expect(await p.exited).toBe(0);
    return [...out.matchAll(/\(pass\) ran (\S+)/g)].map((m) => m[1]!).sort();
  };
  expect(await ran(lanes[0]!.fileArgs)).toEqual(["test/integration/x/slower.test.ts", "test/unit/ab.test.ts"]);
  expect(await ran(lanes[1]!.fileArgs)).toEqual(["test/integration/x/slow.test.ts", "test/unit/a.test.ts"]);
  dir.remove();
});

test("the lanes' workers do not see the runner's STEWARD_TEST_WORKERS: a Steward a test starts would read it as a possible setting", () => {
  const env = laneEnv({ PATH: "/usr/bin", [WORKERS_ENV]: "4", STEWARD_TLS_PASSPHRASE: "pw" }, { TEST_TIME_SCALE: "3" });
  expect(env).toEqual({ PATH: "/usr/bin", STEWARD_TLS_PASSPHRASE: "pw", TEST_TIME_SCALE: "3" });
});
