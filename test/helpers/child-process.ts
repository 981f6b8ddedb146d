// A child process for tests: output captured (bounded), exit awaited, stopped with its own children (it leads a
// process group: faketime, a shell or a launcher runs the program as its child) within a bounded grace.
import { spawn, type SpawnOptions } from "node:child_process";
import { processesMarked } from "./leftover-processes";
import { removeLeftoverTempDirs } from "./temp-dir";

export interface RunningProcess {
  pid: number;
  /** Combined stdout+stderr so far (the last `maxOutput` characters). */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal number style null → -1) once the process ended. */
  exited: Promise<number>;
  hasExited(): boolean;
  /** SIGTERM (or `signal`) to the process and its children, wait up to `graceMs`, then SIGKILL; resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
  /** Sends `signal` to the process and every process it started (SIGKILL, SIGSTOP, SIGCONT in chaos tests). */
  signal(signal: NodeJS.Signals): void;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  maxOutput?: number;
}

/** Starts `cmd args` with piped output; throws if it cannot be spawned at all. */
export function startProcess(cmd: string, args: string[], opts: StartOptions = {}): RunningProcess {
  const maxOutput = opts.maxOutput ?? 256 * 1024;
  // detached: the child leads a new process group, so a signal to the group reaches what it started too.
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true };
  // Before the spawn: on a loaded machine the child (and what it starts) can run before this process gets the CPU
  // back, and a signal that came before the handlers existed ended this process and left the group running.
  endGroupsOnTermination();
  const child = spawn(cmd, args, spawnOpts);
  let out = "";
  let err = "";
  let all = "";
  const clip = (s: string) => (s.length > maxOutput ? s.slice(s.length - maxOutput) : s);
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out = clip(out + d);
    all = clip(all + d);
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err = clip(err + d);
    all = clip(all + d);
  });
  let ended = false;
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, sig) => {
      ended = true;
      resolve(code ?? (sig ? -1 : 0));
    });
    child.once("error", (e) => {
      ended = true;
      all += `\n[spawn error] ${e.message}`;
      resolve(-1);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);

  const signal = (sig: NodeJS.Signals) => signalGroup(pid, sig, ended);
  // A test that fails or times out before calling stop() must not leave a daemon behind.
  const onExit = () => signal("SIGKILL");
  process.once("exit", onExit);
  liveGroups.add(onExit);
  void exited.then(() => {
    process.removeListener("exit", onExit);
    liveGroups.delete(onExit);
  });

  const stop = async (sig: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<number> => {
    if (!ended) {
      signal(sig);
      const timer = setTimeout(() => {
        if (!ended) signal("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    // Whatever the process started and left behind (a grandchild that outlived its parent) goes too.
    signalGroup(pid, "SIGKILL", true);
    return exited;
  };

  return {
    pid,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => ended,
    stop,
    signal,
  };
}

/** Kills of the groups started here that are still running, for a termination of this process. */
const liveGroups = new Set<() => void>();
let terminationHandled = false;

/**
 * A child leads its own group, so the terminal's Ctrl-C, a CI job's cancel or `npm test`'s time limit (a signal to
 * the test process, not to its children) would leave it running: on such a signal the groups go first, then the
 * other processes this test run started, then the temp dirs (the preload's afterAll, which removes them otherwise,
 * does not run now), then this process ends as that signal would have ended it. The preload installs this in every
 * test process, one that starts no child too, with its run's mark (leftover-processes.ts).
 */
export function endGroupsOnTermination(runMark?: string): void {
  if (terminationHandled) return;
  terminationHandled = true;
  for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.once(sig, () => {
      for (const kill of liveGroups) kill();
      for (const p of runMark ? processesMarked(runMark) : []) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // ended meanwhile
        }
      }
      removeLeftoverTempDirs();
      process.exit(code);
    });
  }
}

/**
 * Signals the process group `pid` leads, or the process alone when it leads none (not once it has exited: its
 * PID may belong to another process by then; its group id cannot, while any member of the group lives).
 */
export function signalGroup(pid: number, sig: NodeJS.Signals, exited = false): void {
  try {
    process.kill(-pid, sig);
  } catch {
    if (exited) return;
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}
