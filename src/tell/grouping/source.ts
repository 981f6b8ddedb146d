// The data connection or source a failed reload was reading: the last `LIB CONNECT TO '…'` (or ODBC / OLEDB
// CONNECT) the script log shows before it failed, else the quoted name in the line that states the failure (a file
// or folder). Undefined when the log names none: such a failure is its own incident.
import { keptScriptLog } from "../../hear/events/script-log-excerpt";
import type { TaskEvent } from "../../platform/events/types";

const CONNECT = /\b(?:LIB|ODBC|OLEDB|CUSTOM)\s+CONNECT(?:32|64)?\s+TO\s+(?:\[([^\]]{1,200})\]|'([^']{1,200})'|"([^"]{1,200})")/i;
const QUOTED = /'([^']{1,300})'/;

export function causeSourceOf(e: TaskEvent): string | undefined {
  let source: string | undefined;
  if (e.scriptLog) {
    for (const line of keptScriptLog(e.scriptLog).parts) {
      if (line.kind !== "line") continue;
      const m = CONNECT.exec(line.text.slice(0, 1_000));
      if (m) source = m[1] ?? m[2] ?? m[3];
    }
  }
  if (source) return source.trim();
  const q = e.errorLine ? QUOTED.exec(e.errorLine.slice(0, 1_000)) : null;
  return q?.[1]?.trim() || undefined;
}
