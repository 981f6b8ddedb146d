// `npm test`: checks the external programs the tests need (installing them as root), typechecks, then runs
// `bun test` over test/ (extra argv passed through: `npm test -- test/unit`), and removes the Wine prefixes runs that
// were killed left behind (before and after). Exits non-zero on any failure.
import { resolve } from "node:path";
import { EXTERNAL_TOOLS, missingTools } from "../test/helpers/executables";
import { removeStaleWinePrefixes } from "../test/helpers/wine";

const REPO_ROOT = resolve(import.meta.dir, "..");
const INSTALL_CMD = "sudo bash scripts/install-test-deps.sh";
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const TYPECHECK_TIMEOUT_MS = 5 * 60_000;
/** A hang must not eat CI's budget; the suite itself is expected to take a few minutes at most. */
const TESTS_TIMEOUT_MS = 15 * 60_000;
/** Worker processes for bun test: each test file runs in one of them, isolated from the others. */
const TEST_WORKERS = 3;
const TIMINGS_FILE = "test/timings.json";

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

async function typecheck(): Promise<boolean> {
  say("typecheck: tsc --noEmit -p .");
  const proc = Bun.spawn([resolve(REPO_ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", "."], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: TYPECHECK_TIMEOUT_MS,
  });
  return (await proc.exited) === 0;
}

interface TestSummary {
  code: number;
  pass?: number;
  fail?: number;
  skip?: number;
}

/** Runs bun test with live output, keeping a copy to read its closing counts. */
async function runTests(extraArgs: string[]): Promise<TestSummary> {
  const hasPath = extraArgs.some((a) => !a.startsWith("-"));
  // Integration tests start real servers; each bounds its own waits, this is the outer per-test limit.
  // Most files wait on servers they start, so three workers on two cores finish in about half the time of one;
  // test/timings.json (refresh: npm test -- --update-timings) starts the slowest files first.
  const parallel = extraArgs.some((a) => a.startsWith("--parallel")) ? [] : [`--parallel=${TEST_WORKERS}`, `--timings=${TIMINGS_FILE}`];
  const args = ["test", "--timeout", "60000", ...parallel, ...(hasPath ? [] : ["./test/"]), ...extraArgs];
  say(`bun ${args.join(" ")}`);
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: TESTS_TIMEOUT_MS,
  });
  let tail = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      sink.write(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8_000);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  const code = await proc.exited;
  const count = (word: string) => {
    const m = tail.match(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "m"));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  return { code, pass: count("pass"), fail: count("fail"), skip: count("skip") };
}

/** Wine prefixes (about 700 MB each) that runs killed before their exit hook left in the temp folder or the clone. */
function sweepWinePrefixes(when: string): void {
  const removed = removeStaleWinePrefixes();
  if (removed.length > 0) say(`${when}: removed ${removed.length} Wine prefix folder(s) left by earlier runs: ${removed.join(", ")}`);
}

const started = performance.now();
sweepWinePrefixes("before the tests");
if (!(await ensureExternalTools())) {
  say("FAILED: external test programs are missing (see above)");
  process.exit(1);
}
const typesOk = await typecheck();
say(typesOk ? "typecheck: ok" : "typecheck: FAILED (errors above)");
const tests = await runTests(process.argv.slice(2));
// The test process is gone now; if it died before its exit hook removed its Wine prefix, this does.
sweepWinePrefixes("after the tests");
const seconds = ((performance.now() - started) / 1000).toFixed(0);
const ok = typesOk && tests.code === 0;
say(`${ok ? "OK" : "FAILED"} in ${seconds} s: typecheck ${typesOk ? "ok" : "failed"}, bun test exit ${tests.code}`);
if (tests.pass === undefined || tests.fail === undefined) {
  console.log(`test: bun test printed no summary (exit ${tests.code})`);
} else {
  // The type check counts as one more check, so a type error can never hide behind green tests.
  const passed = tests.pass + (typesOk ? 1 : 0);
  const failed = tests.fail + (typesOk ? 0 : 1);
  console.log(`test: ${passed} passed, ${failed} failed${tests.skip ? `, ${tests.skip} skipped` : ""}`);
}
process.exit(ok ? 0 : 1);
