// A child process for tests: output captured (bounded), exit awaited, stopped by PID with a bounded grace.
import { spawn, type SpawnOptions } from "node:child_process";

export interface RunningProcess {
  pid: number;
  /** Combined stdout+stderr so far (the last `maxOutput` characters). */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal number style null → -1) once the process ended. */
  exited: Promise<number>;
  hasExited(): boolean;
  /** SIGTERM (or `signal`), wait up to `graceMs`, then SIGKILL; resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  maxOutput?: number;
}

/** Starts `cmd args` with piped output; throws if it cannot be spawned at all. */
export function startProcess(cmd: string, args: string[], opts: StartOptions = {}): RunningProcess {
  const maxOutput = opts.maxOutput ?? 256 * 1024;
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] };
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

  // A test that fails before calling stop() must not leave a daemon behind.
  const onExit = () => {
    if (!ended) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", onExit);
  void exited.then(() => process.removeListener("exit", onExit));

  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<number> => {
    if (!ended) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited between the check and the kill
      }
      const timer = setTimeout(() => {
        if (!ended) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone
          }
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
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
  };
}
