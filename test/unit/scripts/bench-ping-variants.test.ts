// Taking a ping's cost apart (issue 89): variants named on the command line as NAME=BIN[,ENV=VALUE…], each started with
// its environment, and the targets' order reversed every other round so that none keeps the same place in its turns.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startTarget, type BenchProcess } from "../../../scripts/bench-proc";
import { parseVariant, roundOrder } from "../../../scripts/bench-ping-variants";

describe("parseVariant", () => {
  test("a name, a binary and the environment it runs with", () => {
    expect(parseVariant("bare=dist/steward,STEWARD_EXP=bun,X=a=b")).toEqual({
      name: "bare",
      bin: resolve("dist/steward"),
      env: { STEWARD_EXP: "bun", X: "a=b" },
    });
    expect(parseVariant("main=/tmp/a")).toEqual({ name: "main", bin: "/tmp/a", env: {} });
  });

  test("an argument not of that form is refused, naming it", () => {
    expect(() => parseVariant("/tmp/a")).toThrow('"/tmp/a": expected NAME=BIN');
    expect(() => parseVariant("a=")).toThrow('"a=": no binary');
    expect(() => parseVariant("a=/tmp/a,NOVALUE")).toThrow('"NOVALUE" is not ENV=VALUE');
  });
});

test("the order of the targets is reversed every other round", () => {
  expect(roundOrder(["floor", "A", "B", "C"], 0)).toEqual(["floor", "A", "B", "C"]);
  expect(roundOrder(["floor", "A", "B", "C"], 1)).toEqual(["C", "B", "A", "floor"]);
  expect(roundOrder(["floor", "A", "B", "C"], 2)).toEqual(["floor", "A", "B", "C"]);
});

let started: BenchProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await started?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  [started, dir] = [undefined, undefined];
});

test("a target is started with the environment it is given, beside the bench's own", async () => {
  dir = mkdtempSync(join(tmpdir(), "bench-variants-"));
  started = startTarget(["sh", "-c", 'echo "READY $STEWARD_EXP $HOME"'], { logFile: join(dir, "log"), env: { STEWARD_EXP: "bun" } });
  expect(await started.readyLine).toBe(`READY bun ${process.env.HOME}`);
});
