// `npm test` runs the test files in two lanes of workers at once. Most files compute; some mostly wait on the wall
// clock (a demo's story, leases that must run out, a real Alertmanager's resolve timeout, a PostgreSQL that fills its
// disk). A worker holding such a file keeps one of the five slots the computing files share while using almost none of
// the two cores, so those files run in a lane of their own with two workers of its own: the cores stay busy and the
// computing files do not queue behind sleepers. Which files wait is measured, not guessed: test/waiting-files.json
// lists the files that spent at least WAITING_SHARE of their wall time asleep in a `--cpu-report` run, and
//   bun scripts/test-lanes.ts --update
// rewrites it from the last such run's .tmp/test-cpu.jsonl.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const WAITING_FILES_PATH = "test/waiting-files.json";
/** Workers of the waiting lane: its files' wall time (~11 minutes) fits in the computing lane's run with two. */
export const WAITING_WORKERS = 2;
/** A file waits when it spent at least this share of its wall time neither computing nor waiting for a core... */
const WAITING_SHARE = 0.7;
/** ...and is long enough to matter (a short one costs its slot little). */
const WAITING_MIN_WALL_S = 8;

/** Sets the computing lane's workers (scripts/test.ts), to measure another count on another machine. */
export const WORKERS_ENV = "STEWARD_TEST_WORKERS";

/**
 * The lanes' environment: the caller's without WORKERS_ENV, which is the runner's own and already read. Left in, every
 * Steward a test starts saw a STEWARD_… variable it took for a possible setting (lazy-modules.test.ts counted the
 * config schemas that cost, and failed in a run with STEWARD_TEST_WORKERS=4).
 */
export function laneEnv(env: Record<string, string | undefined>, extra: Record<string, string>): Record<string, string | undefined> {
  const { [WORKERS_ENV]: _read, ...rest } = env;
  return { ...rest, ...extra };
}

export interface Lane {
  name: string;
  workers: number;
  /** bun test's arguments that choose its files. */
  fileArgs: string[];
  /**
   * Each worker keeps one global and module registry across the files it runs (`--no-isolate`), instead of loading
   * Steward's modules again, and compiling them again, for every file: 14-17 % less CPU on the unit and mid-sized
   * files, the longest scenarios unchanged (2026-11-28). The waiting lane's files keep their own globals: they mostly
   * sleep, so sharing saves them nothing, and a demo's leftovers would outlast it the longest.
   */
  sharedGlobals: boolean;
}

/** The waiting files listed in test/waiting-files.json that still exist (a renamed file runs in the computing lane). */
export function waitingFiles(root: string): string[] {
  const path = join(root, WAITING_FILES_PATH);
  if (!existsSync(path)) return [];
  const listed = (JSON.parse(readFileSync(path, "utf8")) as { files: Array<{ file: string }> }).files.map((f) => f.file);
  return listed.filter((f) => existsSync(join(root, f)));
}

/**
 * The lanes of a whole run: the computing files on `workers` workers, the waiting ones on WAITING_WORKERS (one lane
 * when no file is listed). A run of chosen files or folders, or one that sets its own workers, is one lane as asked
 * (scripts/test.ts).
 */
export function lanesFor(root: string, workers: number): Lane[] {
  const waiting = waitingFiles(root);
  if (waiting.length === 0) return [{ name: "tests", workers, fileArgs: ["./test/"], sharedGlobals: true }];
  return [
    { name: "computing", workers, fileArgs: ["./test/", ...waiting.map((f) => `--path-ignore-patterns=${f}`)], sharedGlobals: true },
    { name: "waiting", workers: WAITING_WORKERS, fileArgs: waiting.map((f) => `./${f}`), sharedGlobals: false },
  ];
}

interface CpuRow {
  file?: string;
  cpuS: number;
  wallS?: number;
  waitS?: number;
}

/** The waiting files of a `--cpu-report` run's log, longest first, with what they measured. */
export function measureWaiting(root: string, log: string): Array<{ file: string; wallS: number; cpuS: number; asleepS: number }> {
  const rows = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CpuRow);
  const out: Array<{ file: string; wallS: number; cpuS: number; asleepS: number }> = [];
  for (const r of rows) {
    if (!r.file || r.wallS === undefined) continue;
    const asleep = r.wallS - r.cpuS - (r.waitS ?? 0);
    if (r.wallS >= WAITING_MIN_WALL_S && asleep >= WAITING_SHARE * r.wallS)
      out.push({ file: r.file.replace(`${root}/`, ""), wallS: r.wallS, cpuS: r.cpuS, asleepS: Math.round(asleep * 10) / 10 });
  }
  return out.sort((a, b) => b.wallS - a.wallS || a.file.localeCompare(b.file));
}

/** One file a line, so a change of the list reads as one in a diff. */
export const waitingJson = (note: string, files: ReadonlyArray<object>) =>
  `{\n  "note": ${JSON.stringify(note)},\n  "files": [\n${files.map((f) => `    ${JSON.stringify(f)}`).join(",\n")}\n  ]\n}\n`;

if (import.meta.main) {
  const root = resolve(import.meta.dir, "..");
  if (!process.argv.includes("--update")) {
    console.log(`${waitingFiles(root).length} files in ${WAITING_FILES_PATH}; --update rewrites it from .tmp/test-cpu.jsonl (npm test -- --cpu-report)`);
    process.exit(0);
  }
  const files = measureWaiting(root, join(root, ".tmp/test-cpu.jsonl"));
  const note = `Files that spent at least ${WAITING_SHARE * 100} % of at least ${WAITING_MIN_WALL_S} s asleep in a npm test -- --cpu-report run; written by bun scripts/test-lanes.ts --update`;
  writeFileSync(join(root, WAITING_FILES_PATH), waitingJson(note, files));
  console.log(`${files.length} waiting files written to ${WAITING_FILES_PATH}`);
}
