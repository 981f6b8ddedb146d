// Runs a monitoring command (sc.exe, systemctl) with a deadline. Injectable, so the parsers and the state logic
// are tested on recorded outputs and the real runner only has to spawn.
import { runtime, type SpawnResult } from "../../platform/runtime";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export type CommandRunner = (file: string, args: string[], opts: { timeoutMs: number }) => Promise<CommandResult>;

/** sc.exe writes in the console's OEM code page; non-ASCII text may be garbled, which the parsers never need. */
const decoder = new TextDecoder("utf-8", { fatal: false });

export const spawnCommand: CommandRunner = async (file, args, opts) => {
  let result: SpawnResult;
  try {
    result = await runtime.spawn([file, ...args], { timeoutMs: opts.timeoutMs });
  } catch (err) {
    return { code: 127, stdout: "", stderr: `cannot run ${file}: ${(err as Error).message}`, timedOut: false };
  }
  return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr), timedOut: result.timedOut };
};
