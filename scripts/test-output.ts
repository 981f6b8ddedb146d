// What npm test reads of bun test's live output: which files reported and which tests passed or failed, so a run
// whose worker does not exit after the last file can still be judged; and the workers to end in that case.
import { readdirSync, readFileSync } from "node:fs";

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
  return [...new Bun.Glob("test/**/*.test.{ts,tsx}").scanSync({ cwd: root })].length;
}

/** What a failed test printed before its "(fail)" line: at most this many lines, the last ones. */
const MAX_REASON_LINES = 40;

/**
 * Files that reported (their "path:" header), distinct passed and failed tests, and what each failed test printed
 * before its result line (its error), from bun test's live output. Each output stream keeps its own partial line.
 */
export function createOutputTally() {
  const files = new Set<string>();
  const pass = new Set<string>();
  const fail = new Set<string>();
  const reasons = new Map<string, string>();
  const partial = new Map<string, string>();
  const since = new Map<string, string[]>();
  let last = Date.now();
  return {
    add(text: string, stream = "stdout") {
      last = Date.now();
      const lines = ((partial.get(stream) ?? "") + text).split("\n");
      partial.set(stream, lines.pop() ?? "");
      const pending = since.get(stream) ?? [];
      since.set(stream, pending);
      for (const line of lines) {
        const header = /^(test\/\S+\.test\.tsx?):$/.exec(line.trim());
        if (header) files.add(header[1]!);
        // A test's line ends with its duration, which two runs of one name do not share; the name alone counts.
        const result = /^\((pass|fail)\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(line.trim());
        if (result) (result[1] === "pass" ? pass : fail).add(result[2]!);
        if (result?.[1] === "fail" && !reasons.has(result[2]!)) {
          const why = pending.join("\n").trim();
          // bun's closing list repeats the names with nothing before them; the first report is the one with the error.
          if (why) reasons.set(result[2]!, why);
        }
        if (header || result) pending.length = 0;
        else {
          pending.push(line);
          if (pending.length > MAX_REASON_LINES) pending.shift();
        }
      }
    },
    files: () => files.size,
    passed: () => pass.size,
    failed: () => fail.size,
    /** Each failed test with what it printed before its result (empty when nothing was printed). */
    failures: () => [...fail].map((name) => ({ name, why: reasons.get(name) ?? "" })),
    lastOutputMs: () => last,
  };
}
