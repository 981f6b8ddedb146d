// `steward service … --report FILE`: appends what the command said (and the error that ended it) to FILE with a
// dated header. The MSI passes it, since Windows Installer shows no output of the programs it runs.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { describeError } from "../../platform/core/errors";
import { VERSION } from "../../platform/core/version";

export async function withReport(
  file: string | undefined,
  title: string,
  out: (s: string) => void,
  body: (out: (s: string) => void) => Promise<number>,
): Promise<number> {
  if (!file) return body(out);
  const lines: string[] = [`== ${new Date().toISOString()} steward ${VERSION}: ${title}`];
  const tee = (s: string) => {
    out(s);
    lines.push(s);
  };
  try {
    const code = await body(tee);
    lines.push(`exit ${code}`);
    return code;
  } catch (err) {
    lines.push(`error: ${describeError(err)}`);
    throw err;
  } finally {
    lines.push("");
    try {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, lines.join(process.platform === "win32" ? "\r\n" : "\n"));
    } catch (err) {
      out(`warning: could not write the report to ${file}: ${describeError(err)}`);
    }
  }
}
