// What npm test reads of bun test's output when a worker does not exit: files that reported and distinct passed and
// failed tests, across chunks split anywhere, with a failure printed twice counted once.
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { childrenOf, countTestFiles, createOutputTally } from "../../../scripts/test-output";

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
    { name: "c > counts", why: "error: expect(received).toBe(expected)\n\nExpected: 4\nReceived: 5\n      at <anonymous> (c.test.ts:9:5)" },
  ]);
});
