// Runs a monitoring command (sc.exe, systemctl) with a deadline. Injectable, so the parsers and the state logic
// are tested on recorded outputs and the real runner only has to spawn.
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
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([file, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: opts.timeoutMs, killSignal: "SIGKILL", windowsHide: true });
  } catch (err) {
    return { code: 127, stdout: "", stderr: `cannot run ${file}: ${(err as Error).message}`, timedOut: false };
  }
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).arrayBuffer(),
    new Response(proc.stderr as ReadableStream).arrayBuffer(),
    proc.exited,
  ]);
  const timedOut = proc.signalCode !== null && proc.signalCode !== undefined;
  return { code: timedOut ? -1 : code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), timedOut };
};
