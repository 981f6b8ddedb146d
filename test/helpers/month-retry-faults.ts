// Failures of the four-week site (month-site.ts) that carry the failing line a real night gives, so that the documented
// retry rule (docs/remediation.md: connection, lock and timeout errors) has something to act on: the simulator's
// default line ("Cannot open file", a missing file) is none of those, and a rule never matched it. Most heal when
// they are run again (the simulator fails the first N attempts of the night and lets the next one succeed, as a lock
// another reload released or a source back after a restart would); one source refuses all night; one script error
// fails every attempt whatever is tried. Played beside monthFaults() by issue-101-weeks.test.ts, with and without the rule.
import type { Action } from "./rich-site-faults";
import type { MonthFault } from "./month-site";

const Z = (s: string) => Date.parse(s);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Lines as Qlik's script log ends on them; the class is what Steward's built-in table makes of each. */
export const LINES = {
  lock: "Cannot open file 'lib://Staging/orders.qvd': the file is being used by another process",
  connection: "Cannot connect to the data source erp-db.corp.example:1433: connection refused",
  timeout: "The request to the REST connector timed out waiting for api.wms.corp.example to answer",
  script: "Field 'OrderDate' not found",
} as const;

export interface RetryFault extends MonthFault {
  id: "healed-by-retry" | "retries-fail" | "script-error";
  task: string;
  line: keyof typeof LINES;
  /** The attempts of the night that fail before one succeeds (undefined: every attempt fails). */
  failing?: number;
  /** When the run it spoils starts. */
  runAt: number;
  /** How long after `runAt` the runs of the task are this fault's attempts (before the task's next scheduled run). */
  attemptsWithin: number;
}

/** The simulator's own failing line once the fault is over (what a failure of the site's other faults says). */
const DEFAULT_LINE = "Cannot open file";

type FaultInput = Omit<RetryFault, "apply" | "revert" | "explainsTasks" | "expects" | "revertAt" | "explainsUntil" | "attemptsWithin"> & {
  revertAt?: number;
  explains?: string[];
  /** An hourly task's: its next run is an hour later. */
  hourly?: boolean;
};

function fault({ hourly, explains, ...f }: FaultInput): RetryFault {
  const outcome = f.failing === undefined ? "fail" : { failThenSucceed: f.failing };
  const apply: Action[] = [{ patchTask: f.task, body: { outcome, scriptError: LINES[f.line] } }];
  const revertAt = f.revertAt ?? f.runAt + 4 * HOUR;
  return {
    ...f,
    apply,
    revertAt,
    revert: [{ patchTask: f.task, body: { outcome: "succeed", scriptError: DEFAULT_LINE } }],
    explainsTasks: explains ?? [f.task],
    // A failure that heals is over that night (its chain runs after the retry); one that does not, once the task's
    // next night has recovered it (the next night's failure of another task in its chain is that task's fault).
    explainsUntil: f.runAt + (f.failing === undefined ? DAY + 6 * HOUR : 12 * HOUR),
    attemptsWithin: hourly ? 55 * 60_000 : 3 * HOUR,
    expects: [],
  };
}

/**
 * The first week's (Monday 23 – Sunday 29 March) and three later ones. Night runs are in Stockholm time (CET until
 * Sunday 29 March, then CEST); each fault is applied in the evening before and over in the morning.
 */
export function monthRetryFaults(): RetryFault[] {
  const evening = (night: string) => Z(`${night}T20:00:00Z`) - DAY;
  return [
    fault({
      id: "healed-by-retry",
      name: "QVD 01 fails on a locked QVD, free on the retry (night to Wed 25 March)",
      task: "QVD 01",
      line: "lock",
      failing: 1,
      at: evening("2026-03-25"),
      runAt: Z("2026-03-25T00:00:00Z"),
      explains: ["QVD 01", "Model 01", "Front 01"],
    }),
    fault({
      id: "script-error",
      name: "Model 01 stops on a field the source renamed, every attempt (night to Thu 26 March)",
      task: "Model 01",
      line: "script",
      at: evening("2026-03-26"),
      runAt: Z("2026-03-26T00:25:00Z"),
      explains: ["Model 01", "Front 01"],
    }),
    fault({
      id: "healed-by-retry",
      name: "QVD 06's source refuses its connection until the second retry (night to Fri 27 March)",
      task: "QVD 06",
      line: "connection",
      failing: 2,
      at: evening("2026-03-27"),
      runAt: Z("2026-03-27T00:30:00Z"),
      explains: ["QVD 06", "Model 06"],
    }),
    fault({
      id: "healed-by-retry",
      name: "Office hourly 02's connector times out once (Fri 27 March, the 10:07 run)",
      task: "Office hourly 02",
      line: "timeout",
      failing: 1,
      at: Z("2026-03-27T08:30:00Z"),
      runAt: Z("2026-03-27T09:07:00Z"),
      revertAt: Z("2026-03-27T12:00:00Z"),
      hourly: true,
    }),
    fault({
      id: "retries-fail",
      name: "QVD 04's source refuses all night: the rule's retries fail (night to Sat 28 March)",
      task: "QVD 04",
      line: "connection",
      at: evening("2026-03-28"),
      runAt: Z("2026-03-28T01:00:00Z"),
    }),
    fault({
      id: "healed-by-retry",
      name: "QVD 06 fails on a locked QVD, free on the retry (night to Tue 7 April)",
      task: "QVD 06",
      line: "lock",
      failing: 1,
      at: evening("2026-04-07"),
      runAt: Z("2026-04-06T23:30:00Z"),
      explains: ["QVD 06", "Model 06"],
    }),
    fault({
      id: "healed-by-retry",
      name: "Office hourly 03's connector times out once (Mon 13 April, the 11:09 run)",
      task: "Office hourly 03",
      line: "timeout",
      failing: 1,
      at: Z("2026-04-13T08:30:00Z"),
      runAt: Z("2026-04-13T09:09:00Z"),
      revertAt: Z("2026-04-13T12:00:00Z"),
      hourly: true,
    }),
  ];
}
