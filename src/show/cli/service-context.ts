// What every `steward service` subcommand shares: its options, the parsed context, and printing or running a plan
// (one line per step).
import { parseArgs } from "node:util";
import type { CommandRunner } from "../../watch/services/command-runner";
import { describePlan, executePlan, type Plan, type StartJudge } from "../../watch/services/install/plan";
import { UsageError } from "./usage";

export type Platform = "windows" | "linux";

export interface ServiceCommandDeps {
  out: (s: string) => void;
  run?: CommandRunner;
  platform?: string;
  /** argv that starts this Steward (exe, and the script when not compiled). */
  self?: string[];
  isRoot?: () => boolean;
  /** The OS release (os.release()): Windows builds older than Steward's runtime supports are refused. */
  osRelease?: () => string;
}

export const SERVICE_OPTIONS = {
  config: { type: "string", short: "c" },
  name: { type: "string" },
  account: { type: "string" },
  password: { type: "string" },
  user: { type: "string" },
  platform: { type: "string" },
  start: { type: "boolean" },
  update: { type: "boolean" },
  "create-config": { type: "boolean" },
  firewall: { type: "string" },
  "firewall-remote": { type: "string" },
  report: { type: "string" },
  "own-folder": { type: "string" },
  "fresh-folder": { type: "boolean" },
  "dry-run": { type: "boolean" },
  "log-level": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export type ServiceValues = ReturnType<typeof parseServiceArgs>["values"];

export function parseServiceArgs(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: SERVICE_OPTIONS });
}

export interface ServiceContext {
  values: ServiceValues;
  platform: Platform;
  name: string;
  run: CommandRunner;
  dryRun: boolean;
  out: (s: string) => void;
  deps: ServiceCommandDeps;
}

/** Prints a plan (--dry-run) or runs it, one line per step. */
export async function execute(c: ServiceContext, plan: Plan, judgeStart?: StartJudge): Promise<number> {
  if (c.dryRun) {
    c.out(describePlan(plan, c.platform === "windows"));
    return 0;
  }
  if (c.platform === "linux" && !(c.deps.isRoot ?? (() => process.getuid?.() === 0))()) {
    throw new UsageError("service: installing a systemd unit needs root; run it with sudo, or add --dry-run to see what it would do");
  }
  const ok = await executePlan(
    plan,
    c.run,
    (r) => {
      const mark = r.warning !== undefined ? "warn" : r.ok ? "ok  " : r.step.kind === "run" && r.step.optional ? "skip" : "FAIL";
      const what = r.step.kind === "run" ? r.step.why : `${r.step.why}: ${r.step.path}`;
      const detail =
        r.warning !== undefined ? `: ${r.warning}` : r.ok ? "" : `: ${r.step.kind === "run" ? r.output.split("\n").slice(-3).join(" ") : r.output}`;
      c.out(`${mark} ${what}${detail}`);
    },
    judgeStart ? { judgeStart } : {},
  );
  if (!ok) {
    if (c.platform === "windows")
      c.out("Tip: sc.exe needs an elevated prompt (Run as administrator); error 1073 means the service exists already (--update reconfigures it).");
    return 1;
  }
  for (const n of plan.notes) c.out(n);
  return 0;
}
