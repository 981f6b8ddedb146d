// An install plan is a list of commands (and files to write), printed by --dry-run and executed otherwise, so
// what `steward service install` does is visible and testable without touching the machine.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CommandResult, CommandRunner } from "../command-runner";

export type Step =
  | {
      kind: "run";
      argv: string[];
      why: string /** A failure is reported but does not stop the plan. */;
      optional?: boolean /** Shown with this text instead of argv (hides passwords). */;
      display?: string;
      /** Starts the service: a failure is first judged (executePlan's `judgeStart`), since the service may have run. */
      startsService?: boolean;
    }
  | { kind: "write"; path: string; content: string; mode?: number; why: string }
  | { kind: "mkdir"; path: string; why: string };

export interface Plan {
  steps: Step[];
  /** Printed after the steps: what to do next, what was assumed. */
  notes: string[];
}

export interface StepResult {
  step: Step;
  ok: boolean;
  output: string;
  /** Done, though not as planned: what happened instead (shown as a warning; the plan goes on). */
  warning?: string;
}

/** Given a failed start's result: what to warn of when the plan still stands, undefined when it failed. */
export type StartJudge = (result: CommandResult) => Promise<string | undefined>;

/** Quotes an argument for display in a Windows or POSIX shell. */
export function showArg(arg: string, windows: boolean): string {
  if (arg === "") return '""';
  if (!/[\s"'$`\\|&;<>()*?!]/.test(arg)) return arg;
  return windows ? `"${arg.replace(/"/g, '\\"')}"` : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function describePlan(plan: Plan, windows: boolean): string {
  const lines: string[] = [];
  for (const s of plan.steps) {
    if (s.kind === "run") lines.push(`# ${s.why}${s.optional ? " (may fail harmlessly)" : ""}`, s.display ?? s.argv.map((a) => showArg(a, windows)).join(" "));
    else if (s.kind === "mkdir") lines.push(`# ${s.why}`, `mkdir ${showArg(s.path, windows)}`);
    else
      lines.push(
        `# ${s.why}: write ${s.path}`,
        ...s.content
          .trimEnd()
          .split("\n")
          .map((l) => `    ${l}`),
      );
  }
  return [...lines, ...(plan.notes.length ? ["", ...plan.notes] : [])].join("\n");
}

/** Runs the steps in order; stops at the first failure of a required step, unless it is a start `judgeStart` lets stand. */
export async function executePlan(
  plan: Plan,
  run: CommandRunner,
  report: (r: StepResult) => void,
  opts: { timeoutMs?: number; judgeStart?: StartJudge } = {},
): Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  for (const step of plan.steps) {
    if (step.kind === "mkdir") {
      try {
        mkdirSync(step.path, { recursive: true });
        report({ step, ok: true, output: "" });
      } catch (err) {
        report({ step, ok: false, output: (err as Error).message });
        return false;
      }
      continue;
    }
    if (step.kind === "write") {
      try {
        mkdirSync(dirname(step.path), { recursive: true });
        writeFileSync(step.path, step.content, { mode: step.mode ?? 0o644 });
        report({ step, ok: true, output: "" });
      } catch (err) {
        report({ step, ok: false, output: (err as Error).message });
        return false;
      }
      continue;
    }
    const r = await run(step.argv[0]!, step.argv.slice(1), { timeoutMs });
    const ok = r.code === 0 && !r.timedOut;
    const output = `${r.stdout}${r.stderr}`.trim();
    const warning = !ok && step.startsService && opts.judgeStart ? await opts.judgeStart(r) : undefined;
    if (warning !== undefined) {
      report({ step, ok: true, output, warning });
      continue;
    }
    report({ step, ok, output });
    if (!ok && !step.optional) return false;
  }
  return true;
}
