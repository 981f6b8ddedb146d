// What npm test reads of bun test's output: files that reported and distinct passed and failed tests, across chunks
// split anywhere, with a failure printed twice counted once; each failure's file and reason, whether bun prints it
// before the result (an assertion), after it (a test or hook that timed out) or instead of it (a worker that died);
// and the summary's list of failed files with the command that reruns each.
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { childrenOf, countTestFiles, createOutputTally, printFailureReport, requestedFiles, untimedFiles } from "../../../scripts/test-output";
import { createTempDir } from "../../helpers/temp-dir";

test("files, passes and failures from live output split at any point", () => {
  const out = [
    "test/unit/a.test.ts:\n(pass) a > one [1.20ms]\n(pass) a > two [3",
    ".00ms]\n\ntest/integration/b.test.tsx:\n(fail) b > breaks [60003.88ms]\n(pass) b > works [2.1s]\n",
    "test/unit/a.test.ts:\n(pass) a > three\n",
    "1 tests failed:\n(fail) b > breaks [60003.88ms]\n",
  ];
  const t = createOutputTally();
  for (const chunk of out) t.add(chunk);
  expect({ files: t.files(), passed: t.passed(), failed: t.failed() }).toEqual({ files: 2, passed: 4, failed: 1 });
});

test("the repository's test files are counted, and this process's children found", () => {
  expect(countTestFiles(resolve(import.meta.dir, "../../.."))).toBeGreaterThan(300);
  const child = Bun.spawn(["sleep", "5"]);
  try {
    expect(childrenOf(process.pid)).toContain(child.pid);
  } finally {
    child.kill();
  }
});

test("what a failed test printed before its result is kept as its reason, per stream, and not taken from the closing list", () => {
  const t = createOutputTally();
  t.add("test/unit/c.test.ts:\n(pass) c > fine [1ms]\nerror: expect(received).toBe(expected)\n\nExpected: 4\nRec", "stderr");
  t.add("some console line from another file\n", "stdout");
  t.add("eived: 5\n      at <anonymous> (c.test.ts:9:5)\n(fail) c > counts [12.00ms]\n", "stderr");
  t.add("\n1 tests failed:\n(fail) c > counts [12.00ms]\n", "stderr");
  expect(t.failures()).toEqual([
    {
      file: "test/unit/c.test.ts",
      name: "c > counts",
      why: "error: expect(received).toBe(expected)\n\nExpected: 4\nReceived: 5\n      at <anonymous> (c.test.ts:9:5)",
    },
  ]);
});

// bun test 1.4.5's own lines (--parallel), as it printed them for a test, a hook and a worker that failed each way.
const PARALLEL_RUN = `
test/unit/zz/a.test.ts:
(pass) passes [0.04ms]
error: expect(received).toBe(expected)

Expected: 3
Received: 2

(fail) an assertion that fails [0.86ms]

test/unit/zz/c.test.ts:
(fail) (unnamed) [500.16ms]
  ^ a beforeEach/afterEach hook timed out for this test.

test/unit/zz/b.test.ts:
(fail) a test that outlives its timeout [505.54ms]
  ^ this test timed out after 500ms.

test/unit/zz/d.test.ts:
(pass) before the kill [0.02ms]
about to die
\u2717 test/unit/zz/d.test.ts (worker crashed: SIGKILL)

 2 pass
 4 fail
Ran 6 tests across 4 files. [749.00ms]
`;

test("a timeout's and a hook's reason printed after the result, and a worker that died, are failures with their file and reason", () => {
  const t = createOutputTally();
  for (let i = 0; i < PARALLEL_RUN.length; i += 37) t.add(PARALLEL_RUN.slice(i, i + 37), "stderr");
  expect(t.failures()).toEqual([
    { file: "test/unit/zz/a.test.ts", name: "an assertion that fails", why: "error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: 2" },
    { file: "test/unit/zz/c.test.ts", name: "(unnamed)", why: "a beforeEach/afterEach hook timed out for this test." },
    { file: "test/unit/zz/b.test.ts", name: "a test that outlives its timeout", why: "this test timed out after 500ms." },
    {
      file: "test/unit/zz/d.test.ts",
      name: "(the test file's worker: worker crashed: SIGKILL)",
      why: "worker crashed: SIGKILL; the last lines it printed:\nabout to die",
    },
  ]);
  expect(t.files()).toBe(4);
});

test("the summary lists each failed file with the command that reruns it, and the files that never reported", () => {
  const t = createOutputTally();
  t.add(PARALLEL_RUN, "stderr");
  const said: string[] = [];
  const printed: string[] = [];
  const requested = ["test/unit/zz/a.test.ts", "test/unit/zz/b.test.ts", "test/unit/zz/c.test.ts", "test/unit/zz/d.test.ts", "test/unit/zz/e.test.ts"];
  printFailureReport(
    { failures: t.failures(), reported: t.reportedFiles(), requested, bunFailed: 4, tail: "last words" },
    (l) => said.push(l),
    (l) => printed.push(l),
  );
  expect(said[0]).toBe("why each of the 4 failed test(s) failed (repeated from above):");
  expect(printed).toContain("--- (fail) test/unit/zz/b.test.ts > a test that outlives its timeout");
  expect(said).toContain("1 test file(s) never reported a result (their worker was ended, or the run was)");
  expect(said).toContain("the run's last lines:");
  expect(printed).toContain("last words");
  const reruns = printed.filter((l) => l.includes("npm test -- ")).map((l) => l.trim().replace(/ +/, " "));
  expect(reruns).toEqual([
    "test/unit/zz/a.test.ts npm test -- test/unit/zz/a.test.ts",
    "test/unit/zz/c.test.ts npm test -- test/unit/zz/c.test.ts",
    "test/unit/zz/b.test.ts npm test -- test/unit/zz/b.test.ts",
    "test/unit/zz/d.test.ts npm test -- test/unit/zz/d.test.ts",
    "test/unit/zz/e.test.ts npm test -- test/unit/zz/e.test.ts",
  ]);
  // A run that passed lists nothing, whatever it was asked for.
  said.length = 0;
  printed.length = 0;
  printFailureReport(
    { failures: [], reported: new Set(), requested, bunFailed: 0, tail: "" },
    (l) => said.push(l),
    (l) => printed.push(l),
  );
  expect([...said, ...printed]).toEqual([]);
});

test("a run ended by its limit before any test failed still says what ran and lists the files that never reported", () => {
  // Issue 89: under load the run was cut at 55 minutes; what had passed and the files never reached must be named.
  const t = createOutputTally();
  t.add("test/unit/zz/a.test.ts:\n(pass) a > one [1.00ms]\n(pass) a > two [2.00ms]\ntest/unit/zz/b.test.ts:\n(pass) b > one [1.00ms]\n", "stderr");
  const said: string[] = [];
  const printed: string[] = [];
  const requested = ["test/unit/zz/a.test.ts", "test/unit/zz/b.test.ts", "test/unit/zz/c.test.ts", "test/unit/zz/d.test.ts"];
  printFailureReport(
    {
      failures: t.failures(),
      reported: t.reportedFiles(),
      requested,
      bunFailed: t.failed(),
      passed: t.passed(),
      tail: "(pass) b > one",
      unfinished: "ended by npm test's limit of 55 minutes",
    },
    (l) => said.push(l),
    (l) => printed.push(l),
  );
  expect(said[0]).toBe(
    "the run did not finish (ended by npm test's limit of 55 minutes): 2 of 4 test files started, 3 tests passed and 0 failed until then (read from its output)",
  );
  expect(said).toContain("2 test file(s) never reported a result (their worker was ended, or the run was)");
  expect(printed).toContain("(pass) b > one");
  const reruns = printed.filter((l) => l.includes("npm test -- ")).map((l) => l.trim().replace(/ +/, " "));
  expect(reruns).toEqual(["test/unit/zz/c.test.ts npm test -- test/unit/zz/c.test.ts", "test/unit/zz/d.test.ts npm test -- test/unit/zz/d.test.ts"]);
});

test("the files a run was asked for: folders and files of the suite, or unknown for a name filter", () => {
  const root = resolve(import.meta.dir, "../../..");
  expect(requestedFiles(root, ["test/unit/scripts/"])).toContain("test/unit/scripts/test-output.test.ts");
  expect(requestedFiles(root, ["--bail", "./test/unit/scripts/test-output.test.ts"])).toEqual(["test/unit/scripts/test-output.test.ts"]);
  expect(requestedFiles(root, ["output"])).toBeUndefined();
  expect(requestedFiles(root, [])?.length).toBeGreaterThan(300);
});

test("the test files test/timings.json has no time for, .test.tsx ones too", () => {
  const dir = createTempDir();
  try {
    mkdirSync(join(dir.path, "test/unit/x"), { recursive: true });
    for (const f of ["test/unit/x/timed.test.ts", "test/unit/x/new.test.ts", "test/unit/x/page.test.tsx", "test/unit/x/helper.ts"])
      writeFileSync(join(dir.path, f), "");
    writeFileSync(
      join(dir.path, "test/timings.json"),
      JSON.stringify({ version: 1, files: { "test/unit/x/timed.test.ts": 1200, "test/unit/x/gone.test.ts": 5 } }),
    );
    expect(untimedFiles(dir.path, "test/timings.json")).toEqual(["test/unit/x/new.test.ts", "test/unit/x/page.test.tsx"]);
  } finally {
    dir.remove();
  }
});
