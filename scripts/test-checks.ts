// The checks `npm test` runs beside the tests (Biome's lint and the type check): each keeps its output to print after
// the tests', and its verdict says why it failed even when the check printed nothing. A check that had not finished
// when the tests did gets more time alone (the tests no longer share the cores), and one ended at its limit says so:
// tsc prints its errors only when it ends, so a tsc killed on a busy machine (the tests beside it on two cores) used to
// leave "typecheck: FAILED (see above)" with nothing above it.

/** What a check left: its verdict, its output, and how it ended. */
export interface CheckResult {
  ok: boolean;
  output: string;
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
  /** Ended by its limit: it did not finish in time. */
  timedOut: boolean;
  seconds: number;
}

export interface Check {
  name: string;
  /** The command, as a person would type it to run the check again. */
  command: string;
  /** What to do when it failed, beside the command (e.g. what fixes formatting). */
  hint?: string;
  done: Promise<CheckResult>;
  /** Ends it now (SIGTERM): a check still running when its time is up. */
  end(): void;
}

export interface CheckOptions {
  cwd: string;
  /** A ceiling whatever happens (a hung check must not outlive the run). */
  limitMs: number;
  hint?: string;
}

/** Starts `argv` with its output kept; `done` resolves when it has ended, by itself, by its limit or by `end()`. */
export function startCheck(name: string, argv: string[], o: CheckOptions): Check {
  const started = performance.now();
  let ended = false;
  const proc = Bun.spawn(argv, { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"], timeout: o.limitMs });
  const done = (async (): Promise<CheckResult> => {
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const signal = proc.signalCode === null ? null : String(proc.signalCode);
    return {
      ok: code === 0,
      output: `${out}${err}`.trim(),
      code: proc.exitCode,
      signal,
      timedOut: signal !== null && (ended || performance.now() - started >= o.limitMs - 50),
      seconds: (performance.now() - started) / 1000,
    };
  })();
  const command = argv.map((a) => a.replace(`${o.cwd}/node_modules/.bin/`, "npx ")).join(" ");
  return {
    name,
    command,
    ...(o.hint ? { hint: o.hint } : {}),
    done,
    end() {
      if (proc.exitCode !== null || proc.signalCode) return;
      ended = true;
      proc.kill("SIGTERM");
    },
  };
}

/**
 * The check's result once the tests have ended: if it is still running it gets `graceMs` more (alone on the machine
 * now), then it is ended and counts as not finished in time.
 */
export async function settleCheck(check: Check, graceMs: number): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  const first = await Promise.race([check.done, late]);
  clearTimeout(timer);
  if (first !== "late") return first;
  check.end();
  return check.done;
}

/** The lines that report a check: its output as printed (when any), then its verdict saying why it failed. */
export function describeCheck(check: Pick<Check, "name" | "command" | "hint">, r: CheckResult): { output: string; verdict: string } {
  if (r.ok) return { output: r.output, verdict: `${check.name}: ok (${r.seconds.toFixed(0)} s)` };
  const how = r.timedOut
    ? `did not finish in ${r.seconds.toFixed(0)} s and was ended at its limit (the machine was too busy, or it hung; tsc prints its errors only when it ends)`
    : r.signal
      ? `was ended by ${r.signal} after ${r.seconds.toFixed(0)} s`
      : `exited with code ${r.code}`;
  const printed = r.output === "" ? "it printed nothing" : "its output is above";
  const again = `run it alone: ${check.command}${check.hint ? ` (${check.hint})` : ""}`;
  return { output: r.output, verdict: `${check.name}: FAILED: it ${how}; ${printed}; ${again}` };
}
