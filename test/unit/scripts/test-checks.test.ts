// The checks npm test runs beside the tests (lint, type check): a failure prints what the check printed and why it
// failed, even when it printed nothing; one still running when the tests end gets more time alone; one ended at its
// limit says so (tsc prints its errors only when it ends: under load a tsc ended at its limit left "typecheck: FAILED
// (see above)" with nothing above it).
import { expect, test } from "bun:test";
import { describeCheck, settleCheck, startCheck } from "../../../scripts/test-checks";

const bun = process.execPath;
const cwd = process.cwd();
const run = (name: string, script: string, limitMs = 30_000) => startCheck(name, [bun, "-e", script], { cwd, limitMs });

test("a check that fails prints its errors, then a verdict with how it ended and the command to run it alone", async () => {
  const c = run("typecheck", "console.log('src/a.ts(1,7): error TS2322: nope'); process.exit(2)");
  const r = await settleCheck(c, 30_000);
  const { output, verdict } = describeCheck(c, r);
  expect(output).toBe("src/a.ts(1,7): error TS2322: nope");
  expect(verdict).toStartWith("typecheck: FAILED: it exited with code 2; its output is above; run it alone: ");
  expect(verdict).toContain(`${bun} -e`);
});

test("a check that fails printing nothing says so instead of pointing above", async () => {
  const c = run("typecheck", "process.exit(1)");
  const { output, verdict } = describeCheck(c, await settleCheck(c, 30_000));
  expect(output).toBe("");
  expect(verdict).toContain("it exited with code 1; it printed nothing;");
  expect(verdict).not.toContain("see above");
});

test("a check ended at its own limit says it did not finish, with what it printed before", async () => {
  const c = run("typecheck", "console.log('started'); await Bun.sleep(20_000)", 4_000);
  const r = await c.done;
  expect({ ok: r.ok, timedOut: r.timedOut, signal: r.signal }).toEqual({ ok: false, timedOut: true, signal: "SIGTERM" });
  const { output, verdict } = describeCheck(c, r);
  expect(output).toBe("started");
  expect(verdict).toMatch(/^typecheck: FAILED: it did not finish in \d+ s and was ended at its limit .*; its output is above; run it alone: /);
});

test("a check still running when the tests end gets the grace alone, then is ended and counted as not finished", async () => {
  // Finishes within the grace: its own result.
  const slow = run("lint", "await Bun.sleep(1_000); console.log('Checked 10 files'); process.exit(0)");
  const ok = await settleCheck(slow, 20_000);
  expect({ ok: ok.ok, output: ok.output, timedOut: ok.timedOut }).toEqual({ ok: true, output: "Checked 10 files", timedOut: false });
  expect(describeCheck(slow, ok).verdict).toMatch(/^lint: ok \(\d+ s\)$/);
  // Does not: ended after the grace, well before its ceiling.
  const hung = run("typecheck", "await Bun.sleep(60_000)");
  const started = performance.now();
  const late = await settleCheck(hung, 1_000);
  expect(performance.now() - started).toBeLessThan(25_000);
  expect({ ok: late.ok, timedOut: late.timedOut }).toEqual({ ok: false, timedOut: true });
  expect(describeCheck(hung, late).verdict).toContain("it printed nothing");
});

test("the hint is given beside the command", () => {
  const c = { name: "lint", command: "npx biome check --error-on-warnings .", hint: "npx biome check --write . fixes formatting" };
  const r = { ok: false, output: "Found 1 error.", code: 1, signal: null, timedOut: false, seconds: 3 };
  expect(describeCheck(c, r).verdict).toBe(
    "lint: FAILED: it exited with code 1; its output is above; run it alone: npx biome check --error-on-warnings . (npx biome check --write . fixes formatting)",
  );
});
