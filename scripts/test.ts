// `npm test`: checks the external programs the tests need (installing them as root), lints (Biome), typechecks, then runs
// `bun test` over test/ (extra argv passed through: `npm test -- test/unit`), and removes the Wine prefixes runs that
// were killed left behind (before and after). Exits non-zero on any failure.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { childrenOf, countTestFiles, createOutputTally, printFailureReport, requestedFiles, type TestFailure, untimedFiles } from "./test-output";
import { type Check, describeCheck, settleCheck, startCheck } from "./test-checks";
import { type Lane, laneEnv, lanesFor, WAITING_FILES_PATH, WORKERS_ENV } from "./test-lanes";
import { endStuckWorker, endSuiteLeftovers, newSuiteMark, SUITE_MARK } from "./test-suite-mark";
import { EXTERNAL_TOOLS, missingTools } from "../test/helpers/executables";
import { startSuitePostgres } from "../test/helpers/shared-postgres";
import { TIME_SCALE_ENV, timeScale } from "../test/helpers/time-limit";
import { removeStaleWinePrefixes } from "../test/helpers/wine";

const REPO_ROOT = resolve(import.meta.dir, "..");
const INSTALL_CMD = "sudo bash scripts/install-test-deps.sh";
const INSTALL_TIMEOUT_MS = 15 * 60_000;
/** How long the lint and the type check may still take once the tests have ended (they then have the machine). */
const CHECK_ALONE_MS = 5 * 60_000;
/**
 * A hang must not eat CI's budget (90 minutes with the install): the suite takes about 10 minutes on an idle machine,
 * and up to three or four times that beside 8 busy processes (scripts/test-under-load.ts).
 */
const TESTS_TIMEOUT_MS = 55 * 60_000;
/**
 * Worker processes for bun test's computing lane: each test file runs in one of them, isolated from the others; the
 * files that mostly sleep have a lane of their own (scripts/test-lanes.ts). Each process more makes the same files cost
 * more CPU (the caches are cold after the others: six cost 19 % more than five at 6f07403e), and each fewer leaves the
 * cores idle while a file waits. Four was tried (2026-11-27): 588, 643 and 659 s alone against five's 616 s, the spread
 * of runs here, with more tests failing on their timing at four; five stays.
 */
const TEST_WORKERS = 5;

/** TEST_WORKERS, or STEWARD_TEST_WORKERS when set to a whole number from 1 to 16 (anything else stops the run: said why). */
function testWorkers(): number {
  const raw = process.env[WORKERS_ENV];
  if (raw === undefined || raw === "") return TEST_WORKERS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16)
    throw new Error(`${WORKERS_ENV}=${raw}: give a whole number of workers from 1 to 16, or leave it unset for ${TEST_WORKERS}`);
  return n;
}
const TIMINGS_FILE = "test/timings.json";
/**
 * Tests' time limits are guards against hangs, written as this machine's generous bounds; the suite scales them by
 * TEST_TIME_SCALE (test/helpers/time-limit.ts), 3 unless set: a machine three times slower than this one, with five
 * workers on its two cores, still finishes every test well inside its limit. Bun's own per-test default scales too.
 */
const DEFAULT_TIME_SCALE = 3;
const TEST_TIMEOUT_MS = 60_000;
/**
 * `npm test -- --cpu-report`: each file's CPU seconds (its worker, the processes it reaped and the Wine daemons it
 * started) and wall seconds, and how long its worker waited for a core (test/helpers/cpu-tally.ts).
 */
const CPU_REPORT_FLAG = "--cpu-report";
const CPU_LOG = resolve(REPO_ROOT, ".tmp/test-cpu.jsonl");

const say = (line: string) => console.log(`[npm test] ${line}`);

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

async function ensureExternalTools(): Promise<boolean> {
  let missing = missingTools();
  if (missing.length === 0) return true;
  const list = missing.map((n) => `${EXTERNAL_TOOLS[n].candidates[0]} (Debian ${EXTERNAL_TOOLS[n].debianPackage})`);
  if (!isRoot()) {
    say(`missing programs the tests need: ${list.join(", ")}`);
    say(`install them with:  ${INSTALL_CMD}   then run npm test again`);
    return false;
  }
  say(`installing missing test programs: ${list.join(", ")}`);
  const proc = Bun.spawn(["bash", "scripts/install-test-deps.sh"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: INSTALL_TIMEOUT_MS,
  });
  const code = await proc.exited;
  missing = missingTools();
  if (code !== 0 || missing.length > 0) {
    say(`scripts/install-test-deps.sh exited ${code}; still missing: ${missing.join(", ") || "nothing"}`);
    return false;
  }
  return true;
}

/**
 * Biome (formatting and lint rules from biome.jsonc; `npx biome check --write .` fixes what it can) and the type
 * check, started beside the tests: the two take ~15 s of wall time that would otherwise come before the first test.
 * Beside the tests on a busy machine they may get little of the cores, so their ceiling is the tests' own limit plus
 * the time they get alone afterwards (scripts/test-checks.ts).
 */
function startLintAndTypecheck(): Check[] {
  say("lint (biome check --error-on-warnings .) and typecheck (tsc --noEmit -p .) run beside the tests; their results follow the tests'");
  const o = { cwd: REPO_ROOT, limitMs: TESTS_TIMEOUT_MS + CHECK_ALONE_MS };
  return [
    startCheck("lint", [resolve(REPO_ROOT, "node_modules/.bin/biome"), "check", "--error-on-warnings", "--reporter=summary", "."], {
      ...o,
      hint: "npx biome check --write . fixes formatting",
    }),
    startCheck("typecheck", [resolve(REPO_ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", "."], o),
  ];
}

/** Prints each check's output and verdict (why it failed, even when it printed nothing); true when both passed. */
async function reportChecks(checks: Check[]): Promise<boolean> {
  let ok = true;
  for (const c of checks) {
    const { output, verdict } = describeCheck(c, await settleCheck(c, CHECK_ALONE_MS));
    if (output) console.log(output);
    say(verdict);
    ok &&= verdict.startsWith(`${c.name}: ok`);
  }
  return ok;
}

interface TestSummary {
  code: number;
  pass: number;
  fail: number;
  skip?: number;
  failures: TestFailure[];
  /** The files the run was asked for (when its arguments say), and those that reported. */
  requested?: string[];
  reported: ReadonlySet<string>;
  /** The run's last output, for files that never reported. */
  tail: string;
  /** Why the run did not finish (its counts are then those read from its live output). */
  unfinished?: string;
}

/** A CI log often shows only its end: each failure's reason and its file's rerun command again there. */
function repeatFailures(tests: TestSummary): void {
  printFailureReport({ ...tests, bunFailed: tests.fail, passed: tests.pass }, say, (text) => console.log(text));
}

/** A running `bun test` of one lane: its process, the end of its output, and its closing counts once it has exited. */
interface LaneRun {
  lane: Lane;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  tail: string;
}

/**
 * Copies a lane's output to ours whole lines at a time (two lanes print at once: a line cut by the other's would
 * garble the log and the tally), and tallies it under the lane's own stream names.
 */
async function pumpLane(run: LaneRun, seen: ReturnType<typeof createOutputTally>): Promise<void> {
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream, name: string) => {
    const decoder = new TextDecoder();
    let partial = "";
    const emit = (text: string) => {
      sink.write(text);
      run.tail = (run.tail + text).slice(-8_000);
      seen.add(text, `${run.lane.name}:${name}`);
    };
    for await (const chunk of stream) {
      const text = partial + decoder.decode(chunk, { stream: true });
      const cut = text.lastIndexOf("\n") + 1;
      partial = text.slice(cut);
      if (cut > 0) emit(text.slice(0, cut));
    }
    if (partial) emit(partial);
  };
  await Promise.all([pump(run.proc.stdout, process.stdout, "stdout"), pump(run.proc.stderr, process.stderr, "stderr")]);
}

/** A lane's closing count ("12 pass"), undefined when it printed none (it was ended first). */
function closingCount(tail: string, word: string): number | undefined {
  const m = tail.match(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "m"));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Runs bun test with live output (a whole run in two lanes: scripts/test-lanes.ts), keeping a copy to read its closing counts. */
async function runTests(extraArgs: string[], cpuReport: boolean, workers: number): Promise<TestSummary> {
  if (cpuReport) {
    mkdirSync(dirname(CPU_LOG), { recursive: true });
    rmSync(CPU_LOG, { force: true });
  }
  const hasPath = extraArgs.some((a) => !a.startsWith("-"));
  // Integration tests start real servers; each bounds its own waits, this is the outer per-test limit.
  // The computing files run on TEST_WORKERS workers, the sleeping ones beside them on their own (scripts/test-lanes.ts);
  // test/timings.json (refresh: npm test -- --update-timings) starts the slowest files first.
  const ownWorkers = extraArgs.some((a) => a.startsWith("--parallel"));
  const updating = extraArgs.includes("--update-timings");
  if (!hasPath) sayUntimed(updating);
  // One lane when the run names its files or workers, or writes the timings (two lanes would both write the file).
  const lanes: Lane[] =
    !hasPath && !ownWorkers && !updating
      ? lanesFor(REPO_ROOT, workers)
      : [{ name: "tests", workers, fileArgs: hasPath ? [] : ["./test/"], sharedGlobals: true }];
  // A file's CPU is its worker's between the file's start and end only when the file has the worker's global to
  // itself (test/helpers/global-teardown.ts writes the row at the global's end): a --cpu-report run isolates every file.
  const shared = (lane: Lane) => lane.sharedGlobals && !cpuReport && !extraArgs.some((a) => a === "--isolate" || a === "--no-isolate");
  const scale = process.env[TIME_SCALE_ENV] ?? String(DEFAULT_TIME_SCALE);
  const argsOf = (lane: Lane) => [
    "test",
    "--timeout",
    String(Math.round(TEST_TIMEOUT_MS * timeScale({ [TIME_SCALE_ENV]: scale }))),
    ...(ownWorkers ? [] : [`--parallel=${lane.workers}`, `--timings=${TIMINGS_FILE}`]),
    ...(shared(lane) ? ["--no-isolate"] : []),
    ...lane.fileArgs,
    ...extraArgs,
  ];
  // One PostgreSQL for every test file that asks for one (test/helpers/shared-postgres.ts); each has its databases.
  const postgres = await startSuitePostgres().catch((err: unknown) => {
    say(`the shared PostgreSQL did not start (each test file starts its own): ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  stopOnSignal(postgres);
  const mark = newSuiteMark();
  const seen = createOutputTally();
  const runs: LaneRun[] = lanes.map((lane) => {
    const args = argsOf(lane);
    say(
      lanes.length === 1
        ? `bun ${args.join(" ")} (${TIME_SCALE_ENV}=${scale}: the tests' time limits are scaled by it)`
        : `${lane.name} lane: bun ${argsOf({ ...lane, fileArgs: lane.name === "waiting" ? [] : ["./test/"] }).join(" ")} ` +
            `(${lane.name === "waiting" ? `the ${lane.fileArgs.length} files of ${WAITING_FILES_PATH}` : `every other file`}; ${TIME_SCALE_ENV}=${scale})`,
    );
    const proc = Bun.spawn([process.execPath, ...args], {
      cwd: REPO_ROOT,
      env: laneEnv(process.env, { [SUITE_MARK]: mark, [TIME_SCALE_ENV]: scale, ...(cpuReport ? { SUITE_CPU_LOG: CPU_LOG } : {}), ...postgres?.env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { lane, proc, tail: "" };
  });
  const endAll = () => {
    for (const r of runs) void endStuckWorker(r.proc.pid, () => childrenOf(r.proc.pid), 15_000, r.proc.exited);
  };
  // Every file has reported and nothing has been printed for a long while: a worker kept alive by something a test
  // left behind (a timer) would otherwise hold the run until the outer limit. End it and count what was printed.
  const expected = hasPath ? undefined : countTestFiles(REPO_ROOT);
  let stalled = false;
  // The run's own limit: its workers are ended with it (SIGTERM, so each ends what its tests started, then SIGKILL),
  // and what they printed until then is counted below.
  let cut = false;
  const limit = setTimeout(() => {
    cut = true;
    say(`the tests reached npm test's limit of ${TESTS_TIMEOUT_MS / 60_000} minutes; ending them (what ran is counted at the end)`);
    endAll();
  }, TESTS_TIMEOUT_MS);
  const watch = setInterval(() => {
    if (expected === undefined || seen.files() < expected || Date.now() - seen.lastOutputMs() < STALL_AFTER_ALL_FILES_MS) return;
    stalled = true;
    say(
      `all ${expected} test files reported, then no output for ${STALL_AFTER_ALL_FILES_MS / 60_000} minutes: a test worker did not exit (a timer or server a test left running); ending it`,
    );
    clearInterval(watch);
    endAll();
  }, 5_000);
  await Promise.all(runs.map((r) => pumpLane(r, seen)));
  const codes = await Promise.all(runs.map((r) => r.proc.exited));
  const code = codes.find((c) => c !== 0) ?? 0;
  clearInterval(watch);
  clearTimeout(limit);
  if (postgres) {
    if (cpuReport) appendFileSync(CPU_LOG, `${JSON.stringify({ shared: "postgres", cpuS: Math.round(postgres.cpuSeconds() * 10) / 10 })}\n`);
    await postgres.stop();
  }
  // A worker killed before its exit hook (stuck, or by the time limit) leaves what its tests started; end it here.
  const left = await endSuiteLeftovers(mark, 10_000);
  if (left.length > 0) say(`ended ${left.length} process(es) the tests left running: ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`);
  const failures = seen.failures();
  const requested = requestedFiles(REPO_ROOT, extraArgs);
  const tail = runs.map((r) => r.tail).join("\n");
  const run = { failures, reported: seen.reportedFiles(), tail, ...(requested ? { requested } : {}) };
  if (cut)
    return { code: 1, pass: seen.passed(), fail: seen.failed(), unfinished: `ended by npm test's limit of ${TESTS_TIMEOUT_MS / 60_000} minutes`, ...run };
  if (stalled) return { code: seen.failed() > 0 ? 1 : 0, pass: seen.passed(), fail: seen.failed(), ...run };
  // Each lane's closing counts, added up; a lane without them was ended (a signal, a crash) before it printed them.
  const counts = runs.map((r) => ({ pass: closingCount(r.tail, "pass"), fail: closingCount(r.tail, "fail"), skip: closingCount(r.tail, "skip") }));
  const ended = runs.filter((_r, i) => counts[i]!.pass === undefined || counts[i]!.fail === undefined);
  if (ended.length > 0)
    return {
      code: code === 0 ? 1 : code,
      pass: seen.passed(),
      fail: seen.failed(),
      unfinished: ended
        .map((r) => `bun test${runs.length > 1 ? ` (${r.lane.name} lane)` : ""} exited ${codes[runs.indexOf(r)]} without its closing counts`)
        .join("; "),
      ...run,
    };
  const sum = (k: "pass" | "fail" | "skip") => counts.reduce((s, c) => s + (c[k] ?? 0), 0);
  return { code, pass: sum("pass"), fail: sum("fail"), ...(counts.some((c) => c.skip !== undefined) ? { skip: sum("skip") } : {}), ...run };
}

/** Files test/timings.json does not know start when bun gets to them, not by length: named so they get a time. */
function sayUntimed(updating: boolean): void {
  const untimed = untimedFiles(REPO_ROOT, TIMINGS_FILE);
  if (untimed.length === 0 || updating) return;
  say(
    `${untimed.length} test file(s) have no time in ${TIMINGS_FILE}, so they are not started by length (npm test -- --update-timings on a run alone writes every file's): ${untimed.join(", ")}`,
  );
}

/** Ctrl-C or a CI job's cancel: the shared PostgreSQL is this process's child and would outlive it. */
function stopOnSignal(postgres: { stop(): Promise<void> } | undefined): void {
  if (!postgres) return;
  const signals = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
  for (const [name, n] of Object.entries(signals))
    process.once(name, () => {
      void postgres.stop().finally(() => process.exit(128 + n));
    });
}

/** The files that cost the most CPU, and the sum: where to look when the suite gets slow. */
function printCpuReport(): void {
  if (!existsSync(CPU_LOG)) {
    say(`cpu report: ${CPU_LOG} was not written`);
    return;
  }
  const lines = readFileSync(CPU_LOG, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { file?: string; shared?: string; cpuS: number; wallS: number; daemonS?: number; waitS?: number });
  const rows = lines.filter((r): r is typeof r & { file: string } => r.file !== undefined).sort((a, b) => b.cpuS - a.cpuS);
  const shared = lines.filter((r) => r.shared).reduce((s, r) => s + r.cpuS, 0);
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0).toFixed(0);
  say(
    `cpu report: ${rows.length} files, ${sum((r) => r.cpuS)} CPU seconds in all (${sum((r) => r.daemonS ?? 0)} of them Wine's daemons), and ${shared.toFixed(0)} of the shared PostgreSQL; ` +
      `${sum((r) => r.wallS)} s of wall time in the workers, ${sum((r) => r.waitS ?? 0)} s of it waiting for a core (${CPU_LOG}; bun scripts/test-estimate.ts estimates the run on an idle machine from it); the 25 costliest:`,
  );
  for (const r of rows.slice(0, 25))
    say(
      `  ${r.cpuS.toFixed(1).padStart(6)} s CPU ${r.wallS.toFixed(1).padStart(6)} s wall ${(r.waitS ?? 0).toFixed(1).padStart(5)} s waiting  ${r.file.replace(`${REPO_ROOT}/`, "")}`,
    );
}

/** How long a run may be silent after every test file reported before its worker counts as stuck. */
const STALL_AFTER_ALL_FILES_MS = 4 * 60_000;

/** Wine prefixes (about 700 MB each) that runs killed before their exit hook left in the temp folder or the clone. */
function sweepWinePrefixes(when: string): void {
  const removed = removeStaleWinePrefixes();
  if (removed.length > 0) say(`${when}: removed ${removed.length} Wine prefix folder(s) left by earlier runs: ${removed.join(", ")}`);
}

const started = performance.now();
let workers: number;
try {
  workers = testWorkers();
} catch (err) {
  say(`FAILED: ${(err as Error).message}`);
  process.exit(1);
}
sweepWinePrefixes("before the tests");
if (!(await ensureExternalTools())) {
  say("FAILED: external test programs are missing (see above)");
  process.exit(1);
}
const checks = startLintAndTypecheck();
const cpuReport = process.argv.includes(CPU_REPORT_FLAG);
const tests = await runTests(
  process.argv.slice(2).filter((a) => a !== CPU_REPORT_FLAG),
  cpuReport,
  workers,
);
if (cpuReport) printCpuReport();
const typesOk = await reportChecks(checks);
// The test process is gone now; if it died before its exit hook removed its Wine prefix, this does.
sweepWinePrefixes("after the tests");
repeatFailures(tests);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
const ok = typesOk && tests.code === 0;
say(`${ok ? "OK" : "FAILED"} in ${seconds} s: lint and typecheck ${typesOk ? "ok" : "failed"}, bun test exit ${tests.code}`);
{
  // The type check and the lint count as one more check, so neither can hide behind green tests.
  const passed = tests.pass + (typesOk ? 1 : 0);
  const failed = tests.fail + (typesOk ? 0 : 1);
  const unfinished = tests.unfinished
    ? ` (the run did not finish: ${tests.unfinished}; ${tests.requested ? tests.requested.filter((f) => !tests.reported.has(f)).length : "some"} test files never started)`
    : "";
  console.log(`test: ${passed} passed, ${failed} failed${tests.skip ? `, ${tests.skip} skipped` : ""}${unfinished}`);
}
process.exit(ok ? 0 : 1);
