// The four-week site of issue 76's "Done when": a small rich site (three nodes, chains three deep, hourly office
// tasks, the Cloud tenant's three hourly tasks) and what goes wrong on it over four weeks, each with the pages it is
// allowed. Small so that 28 simulated days run in the suite in seconds; the shapes are the rich site's.
import type { RichTask } from "./rich-site";
import type { Fault } from "./rich-site-faults";

/** The faults of test/helpers/month-retry-faults.ts: failures a retry rule matches (healed or not), and a script error. */
export type RetryFaultId = "healed-by-retry" | "retries-fail" | "script-error";

const Z = (s: string) => Date.parse(s);
const HOUR = 3_600_000;
const MIN = 60_000;
/** A Monday; Europe's clocks go forward on Sunday 29 March, four weeks end on Monday 20 April. */
export const MONTH_START = Z("2026-03-23T00:00:00Z");
export const MONTH_DAYS = 28;

const daily = (hhmm: string) => ({ option: "daily" as const, start: `2026-03-01T${hhmm}:00.000` });

/** The site: a promised chain (QVD 01 → Model 01 → Front 01), a checked-in job's chain (QVD 06 → Model 06), loners. */
export function monthSiteTasks(): RichTask[] {
  return [
    { name: "QVD 01", app: "QVD generator 01", node: "Reload01", kind: "qvd", durationMs: 25 * MIN, trigger: daily("01:00") },
    { name: "Model 01", app: "Data model 01", node: "Reload02", kind: "model", durationMs: 6 * MIN, after: "QVD 01" },
    { name: "Front 01", app: "Sales front end 01", node: "Central", kind: "front", durationMs: 3 * MIN, after: "Model 01" },
    // Flaky: fails once on the nights the scenario says, and the Scheduler's retry succeeds.
    { name: "QVD 02", app: "QVD generator 02", node: "Reload02", kind: "qvd", durationMs: 20 * MIN, flaky: true, trigger: daily("01:10") },
    { name: "Model 02", app: "Data model 02", node: "Central", kind: "model", durationMs: 5 * MIN, after: "QVD 02" },
    // Retries on: the night every attempt fails, the Scheduler gives up.
    { name: "QVD 03", app: "QVD generator 03", node: "Central", kind: "qvd", durationMs: 15 * MIN, flaky: true, trigger: daily("01:20") },
    { name: "QVD 04", app: "QVD generator 04", node: "Reload01", kind: "qvd", durationMs: 12 * MIN, trigger: daily("02:00") },
    { name: "QVD 06", app: "QVD generator 06", node: "Reload01", kind: "qvd", durationMs: 18 * MIN, trigger: daily("01:30") },
    { name: "Model 06", app: "Data model 06", node: "Central", kind: "model", durationMs: 4 * MIN, after: "QVD 06" },
    ...[1, 2, 3].map(
      (i): RichTask => ({
        name: `Office hourly 0${i}`,
        app: `Operations 0${i}`,
        node: ["Reload02", "Reload01", "Central"][i - 1]!,
        kind: "hourly",
        durationMs: (8 + i) * MIN,
        trigger: { option: "hourly", increment: "0 1 0 0", filter: "* 7-17 - 1,2,3,4,5 * * * *", start: `2026-03-02T07:0${i * 2 + 3}:00.000` },
      }),
    ),
  ];
}

/** The check-in of the job before QVD 06 (wms-export): it pings every night at 22:05 UTC, the cron's 22:00 plus five minutes. */
export const CHECKIN = { name: "wms-export", key: "wms-export-5d1b0c9e8f72-3f6c2a1e", cron: "0 22 * * *", pingAtUtc: "22:05", feeds: ["QVD 06"] };

/** The freshness promise about the chain a node stops (Front 01's app by 06:00 on weekdays). */
export const PROMISE = { name: "sales-morning", app: "Sales front end 01", freshBy: "06:00", warnAt: "05:30" };

/** What happens in the four weeks, with what the documented route may page for it. */
export interface MonthFault extends Fault {
  /** Short name for the table and the test names. */
  id: "flaky" | "gave-up" | "five-nights" | "slow-run" | "checkin" | "node-down" | "cloud-paused" | RetryFaultId;
  /** The check-in this fault is about (its pages name it). */
  checkin?: string;
  /** A cause title its pages may carry (a node's cause names the node's host). */
  causeTitle?: RegExp;
}

const patch = (task: string, body: Record<string, unknown>) => ({ patchTask: task, body });

/** Every injected fault; a page none of them explains is a false page. */
export function monthFaults(): MonthFault[] {
  const flakyNights = ["2026-03-24", "2026-03-26", "2026-04-02", "2026-04-08", "2026-04-14"];
  const fault = (f: Omit<MonthFault, "expects">): MonthFault => ({ ...f, expects: [] });
  return [
    // The site's flaky tasks fail their first run (QVD 02 and QVD 03 on the first night) and on these nights (QVD 02):
    // each attempt that fails is retried by the Scheduler and succeeds.
    ...flakyNights.map((night) =>
      fault({
        id: "flaky",
        name: `QVD 02 fails once and its retry succeeds (night to ${night})`,
        at: Z(`${night}T20:00:00Z`) - 24 * HOUR,
        apply: [patch("QVD 02", { outcome: { failThenSucceed: 1 } })],
        revertAt: Z(`${night}T06:00:00Z`),
        revert: [],
        explainsTasks: [],
        explainsUntil: 0,
      }),
    ),
    fault({
      id: "gave-up",
      name: "QVD 03: every attempt fails, the Scheduler gives up (night to Thu 2 April)",
      at: Z("2026-04-01T20:00:00Z"),
      apply: [patch("QVD 03", { outcome: "fail" })],
      revertAt: Z("2026-04-02T06:00:00Z"),
      revert: [patch("QVD 03", { outcome: "succeed" })],
      explainsTasks: ["QVD 03"],
      explainsUntil: Z("2026-04-03T06:00:00Z"),
    }),
    fault({
      id: "five-nights",
      name: "QVD 04 fails five nights running (Mon 6 – Fri 10 April), then works",
      at: Z("2026-04-05T20:00:00Z"),
      apply: [patch("QVD 04", { outcome: "fail" })],
      revertAt: Z("2026-04-10T06:00:00Z"),
      revert: [patch("QVD 04", { outcome: "succeed" })],
      explainsTasks: ["QVD 04"],
      explainsUntil: Z("2026-04-11T06:00:00Z"),
    }),
    fault({
      // 09:05 in Stockholm: 75 minutes where 9 are usual, so the Scheduler skips its 10:05 start.
      id: "slow-run",
      name: "Office hourly 01 runs 75 minutes once (Thu 9 April 09:05)",
      at: Z("2026-04-09T06:30:00Z"),
      apply: [patch("Office hourly 01", { durationMs: 75 * MIN })],
      revertAt: Z("2026-04-09T07:30:00Z"),
      revert: [patch("Office hourly 01", { durationMs: 9 * MIN })],
      explainsTasks: ["Office hourly 01"],
      explainsUntil: Z("2026-04-09T12:00:00Z"),
    }),
    fault({
      // The ping due at 22:00 UTC on Tue 14 April never comes; the next night's does.
      id: "checkin",
      name: "wms-export never checks in (Tue 14 April 22:00 UTC)",
      at: Z("2026-04-14T21:00:00Z"),
      apply: [],
      revertAt: Z("2026-04-15T22:30:00Z"),
      revert: [],
      checkin: CHECKIN.name,
      explainsTasks: ["QVD 06", "Model 06"],
      explainsUntil: Z("2026-04-16T06:00:00Z"),
    }),
    fault({
      // 01:05–03:00 in Stockholm: QVD 01 runs on Reload01, Model 01 (due when it ends) would run on Reload02.
      id: "node-down",
      name: "node Reload02 down while the promised chain runs (Thu 16 April 01:05–03:00 Stockholm)",
      at: Z("2026-04-15T23:05:00Z"),
      apply: [{ nodeDown: "Reload02" }],
      revertAt: Z("2026-04-16T01:00:00Z"),
      revert: [{ nodeUp: "Reload02" }],
      explainsTasks: ["QVD 01", "Model 01", "Front 01", "QVD 02", "Model 02", "Office hourly 01"],
      explainsUntil: Z("2026-04-17T06:00:00Z"),
      causeTitle: /sense3/,
    }),
    fault({
      id: "cloud-paused",
      name: "Qlik Cloud task Cloud stock hourly paused six hours (Fri 17 April 08:00–14:00 UTC)",
      at: Z("2026-04-17T08:00:00Z"),
      apply: [{ patchCloudTask: "Cloud stock hourly", body: { paused: true } }],
      revertAt: Z("2026-04-17T14:00:00Z"),
      revert: [{ patchCloudTask: "Cloud stock hourly", body: { paused: false } }],
      explainsTasks: ["Cloud stock hourly"],
      explainsUntil: Z("2026-04-18T06:00:00Z"),
    }),
  ];
}

/** The nights the job checks in (every night but the fault's), as UTC instants from the first day to the last. */
export function checkinPings(start: number, days: number, missed: MonthFault): number[] {
  const [h, m] = CHECKIN.pingAtUtc.split(":").map(Number) as [number, number];
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const at = start + d * 24 * HOUR + h * HOUR + m * MIN;
    if (!(at >= missed.at && at < missed.revertAt - 30 * MIN)) out.push(at);
  }
  return out;
}
