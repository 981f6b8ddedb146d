// Whether a failed `sc.exe start` during `service install --start` fails the install. A service whose process ended
// during its start (a config it refuses, a port in use) can make sc.exe report a failed start, or not, depending on
// whether the SCM saw it running first: both are the same install, which stands, with the service's logs to read.
import type { CommandResult } from "../command-runner";
import { scError } from "../sc-parse";

/**
 * StartService errors meaning the service's process ran and the SCM did not see it running: 1053 (no answer in
 * time: Wine also says this when the service reported STOPPED before the SCM looked), 1066 (it stopped with its own
 * error), 1067 (its process ended before it told the SCM anything).
 */
const ENDED_DURING_START = new Set([1053, 1066, 1067]);

export type FailedStartVerdict =
  /** The install stands: the service was started and the state says what became of it; `note` says what sc.exe said. */
  | { stands: true; note: string }
  /** A failure of the install itself (access denied, no such service, disabled, logon failure, still pending …). */
  | { stands: false };

/**
 * The verdict on a failed `sc.exe start NAME`, given what it said and the service's state once it settled (`sc query`:
 * RUNNING, STOPPED, …, or a text like "not installed" when the query failed). sc.exe on Windows prints the error
 * number ("[SC] StartService FAILED 1067:") and exits with it; Wine's sc.exe prints nothing and exits 1, so there
 * only the state can tell.
 */
export function judgeFailedStart(start: CommandResult, settledState: string): FailedStartVerdict {
  if (start.timedOut) return { stands: false };
  const output = `${start.stdout}${start.stderr}`.trim();
  const error = output ? scError(output, start.code)?.code : undefined;
  if (error !== undefined && !ENDED_DURING_START.has(error)) return { stands: false };
  const said = output ? output.split(/\r?\n/).filter(Boolean).slice(-2).join(" ") : `exit ${start.code}, no output`;
  if (settledState === "STOPPED") return { stands: true, note: `it stopped again during its start (sc.exe: ${said})` };
  if (settledState === "RUNNING") return { stands: true, note: `sc.exe reported a failed start (${said}), yet it is running` };
  return { stands: false };
}
