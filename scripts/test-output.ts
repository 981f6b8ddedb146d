// What npm test reads of bun test's live output: which files reported and which tests passed or failed, so a run
// whose worker does not exit after the last file can still be judged; and the workers to end in that case.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** PIDs whose parent is `pid` (Linux /proc): bun test's workers. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "latin1");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function countTestFiles(root: string): number {
  return listTestFiles(root).length;
}

/** Every test file of the suite, relative to the repository (as bun test names them). */
export function listTestFiles(root: string): string[] {
  return [...new Bun.Glob("test/**/*.test.{ts,tsx}").scanSync({ cwd: root })].sort();
}

/**
 * Test files with no duration in `timingsFile` (bun's --timings JSON): bun test --parallel cannot start them by length
 * nor cut the workers' shares by them, so a long new file may start last and hold the run's end alone.
 */
export function untimedFiles(root: string, timingsFile: string): string[] {
  const timed = (JSON.parse(readFileSync(join(root, timingsFile), "utf8")) as { files?: Record<string, number> }).files ?? {};
  return listTestFiles(root).filter((f) => !(f in timed));
}

/** What a failed test printed before its "(fail)" line: at most this many lines, the last ones. */
const MAX_REASON_LINES = 40;

/** One failed test: its file (undefined when bun named none), its name, and what bun printed about it. */
export interface TestFailure {
  file?: string;
  name: string;
  why: string;
}

/** bun's note after a result line: "  ^ this test timed out after 500ms.", "  ^ a beforeEach/afterEach hook timed out …". */
const AFTER_NOTE = /^\s+\^ /;
/** A worker that died under a file (killed, out of memory, a crash): bun prints this instead of the tests' results. */
const WORKER_CRASHED = /^✗ (test\/\S+\.test\.tsx?) \((worker [^)]*)\)$/;
/** The closing counts: what follows belongs to no file. */
const CLOSING = /^(\d+ (pass|fail|skip|todo)|Ran \d+ tests?\b.*|\d+ tests? failed:?)$/;

interface StreamState {
  partial: string;
  /** Lines since the last header or result: the failing test's error when a "(fail)" line comes. */
  pending: string[];
  file?: string;
  /** The failure the next "  ^ …" note belongs to (bun prints a timeout's reason after the result line). */
  last?: TestFailure;
}

/**
 * Files that reported (their "path:" header), distinct passed and failed tests, and for each failed test its file
 * and what bun printed about it: the lines before its result (its error), the note after it (a timeout, a hook that
 * timed out), or for a worker that died, the last lines its file printed. Each output stream keeps its own state.
 */
export function createOutputTally() {
  const files = new Set<string>();
  const pass = new Set<string>();
  const failures = new Map<string, TestFailure>();
  const streams = new Map<string, StreamState>();
  let last = Date.now();

  const fail = (st: StreamState, file: string | undefined, name: string, why: string) => {
    // bun's closing list repeats the names with nothing before them; the first report is the one with the error.
    if (file === undefined && [...failures.values()].some((f) => f.name === name)) return;
    const key = `${file ?? ""}\u0000${name}`;
    const had = failures.get(key);
    if (had) {
      if (!had.why && why) had.why = why;
      st.last = had;
      return;
    }
    const f: TestFailure = { ...(file ? { file } : {}), name, why };
    failures.set(key, f);
    st.last = f;
  };

  const line = (st: StreamState, raw: string) => {
    const text = raw.trim();
    const header = /^(test\/\S+\.test\.tsx?):$/.exec(text);
    // A test's line ends with its duration, which two runs of one name do not share; the name alone counts.
    const result = /^\((pass|fail)\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(text);
    const crashed = WORKER_CRASHED.exec(text);
    if (header) {
      files.add(header[1]!);
      st.file = header[1]!;
    } else if (result?.[1] === "pass") pass.add(`${st.file ?? ""}\u0000${result[2]!}`);
    else if (result) fail(st, st.file, result[2]!, st.pending.join("\n").trim());
    else if (crashed) {
      files.add(crashed[1]!);
      const printed = st.file === crashed[1] ? st.pending.join("\n").trim() : "";
      fail(st, crashed[1]!, `(the test file's worker: ${crashed[2]!})`, `${crashed[2]!}; the last lines it printed:\n${printed || "(none)"}`);
    } else if (AFTER_NOTE.test(raw) && st.last) {
      st.last.why = `${st.last.why ? `${st.last.why}\n` : ""}${text.replace(/^\^ /, "")}`;
      return;
    } else if (CLOSING.test(text)) st.file = undefined;
    if (header || result || crashed) {
      st.pending.length = 0;
      if (!result || result[1] === "pass") st.last = undefined;
    } else {
      st.pending.push(raw);
      if (st.pending.length > MAX_REASON_LINES) st.pending.shift();
      if (text) st.last = undefined;
    }
  };

  return {
    add(text: string, stream = "stdout") {
      last = Date.now();
      let st = streams.get(stream);
      if (!st) streams.set(stream, (st = { partial: "", pending: [] }));
      const lines = (st.partial + text).split("\n");
      st.partial = lines.pop() ?? "";
      for (const l of lines) line(st, l);
    },
    files: () => files.size,
    /** The files that printed their header or a crash. */
    reportedFiles: (): ReadonlySet<string> => files,
    passed: () => pass.size,
    failed: () => failures.size,
    /** Each failed test with its file and what was printed about it (empty when nothing was). */
    failures: (): TestFailure[] => [...failures.values()],
    lastOutputMs: () => last,
  };
}

/** The command that runs one test file again, as npm test runs it (its timeout, the shared PostgreSQL). */
export const rerunCommand = (file: string) => `npm test -- ${file}`;

/**
 * The files a run was asked for, when its arguments name only folders and files (a name filter or a flag other than
 * the runner's own leaves it unknown): to tell which never reported.
 */
export function requestedFiles(root: string, args: readonly string[]): string[] | undefined {
  const paths = args.filter((a) => !a.startsWith("-"));
  if (paths.length === 0) return listTestFiles(root);
  const all = listTestFiles(root);
  const out = new Set<string>();
  for (const p of paths) {
    const rel = p.replace(/^\.\//, "").replace(/\/$/, "");
    const matched = all.filter((f) => f === rel || f.startsWith(`${rel}/`));
    if (matched.length === 0) return undefined;
    for (const f of matched) out.add(f);
  }
  return [...out].sort();
}

/**
 * The end of the run's summary: each failed test with its file and reason (repeated from above: a CI log often shows
 * only its end), then each file to run again with its command, and the files that never reported (their worker was
 * ended, or the whole run was) with the last lines the run printed. `say` prints the runner's own lines, `print` text
 * as it is.
 */
export function printFailureReport(
  o: {
    failures: readonly TestFailure[];
    requested?: readonly string[];
    reported: ReadonlySet<string>;
    /** bun's own count of failed tests, when it printed one. */
    bunFailed?: number;
    /** The last lines of the run's output, for files that never reported. */
    tail: string;
    /** Why the run did not finish (ended by its limit, say), when it did not: what ran until then is summed up first. */
    unfinished?: string;
    /** The tests that passed, read from the live output. */
    passed?: number;
  },
  say: (line: string) => void,
  print: (text: string) => void,
): void {
  const { failures } = o;
  if (o.unfinished) {
    const of = o.requested ? ` of ${o.requested.length}` : "";
    say(
      `the run did not finish (${o.unfinished}): ${o.reported.size}${of} test files started, ${o.passed ?? "?"} tests passed and ${failures.length} failed until then (read from its output)`,
    );
  }
  if (failures.length > 0) say(`why each of the ${failures.length} failed test(s) failed (repeated from above):`);
  for (const f of failures.slice(0, 10)) {
    print(`--- (fail) ${f.file ? `${f.file} > ` : ""}${f.name}`);
    print(f.why ? f.why.slice(-4_000) : "(nothing printed about it: see the output above)");
  }
  if (failures.length > 10) say(`... and ${failures.length - 10} more, above`);
  const failedRun = failures.length > 0 || o.bunFailed !== 0 || o.unfinished !== undefined;
  const missing = failedRun ? (o.requested?.filter((f) => !o.reported.has(f)) ?? []) : [];
  if (missing.length > 0) say(`${missing.length} test file(s) never reported a result (their worker was ended, or the run was)`);
  // The files still running when the run was ended are the last to have printed.
  if (missing.length > 0 || o.unfinished) {
    say("the run's last lines:");
    print(o.tail.split("\n").slice(-20).join("\n"));
  }
  const files = [...new Set([...failures.map((f) => f.file ?? "(a file bun did not name: see above)"), ...missing])];
  if (files.length > 0) {
    say("failed test files, each with the command that runs it again (bun test <file> runs it without the lint and type check):");
    for (const f of files) print(`  ${f.startsWith("test/") ? `${f.padEnd(60)} ${rerunCommand(f)}` : f}`);
  }
  if (o.bunFailed !== undefined && o.bunFailed > failures.length)
    say(`bun counted ${o.bunFailed} failed test(s), ${failures.length} of them read here: the others are in the output above`);
}
