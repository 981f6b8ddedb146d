// Runs a script in a fresh Bun process, for what only a new process shows (the modules a start loads, the collections
// and releases it makes), and returns what the script reported as one `RAN {json}` line on stderr.
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

/** `bun -e script` from the repository's root; throws with the process's last output if it failed or said nothing. */
export async function freshProcessReport<T>(script: string): Promise<T> {
  const proc = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  const [exit, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const line = /^RAN (.*)$/m.exec(err);
  if (exit !== 0 || !line) throw new Error(`the run failed (exit ${exit}): ${err.slice(-2000)}`);
  return JSON.parse(line[1]!) as T;
}
