// The weekly report's success rate per stream (worst first, the apps' streams from QRS), and a report's times in its
// zone with the year only when it is not the report's.
import { expect, test } from "bun:test";
import { buildReport, type ReportInputs } from "../../../../src/show/report/build-report";
import { DEFAULT_REPORTS, ReportsSchema } from "../../../../src/show/report/config";
import { reportDay, reportTime } from "../../../../src/show/report/report-time";

const TO = Date.parse("2026-11-23T06:00:00Z");
const inputs = (o: Partial<ReportInputs>): ReportInputs => ({
  kind: "weekly",
  from: TO - 7 * 86_400_000,
  to: TO,
  host: "sense1",
  formatTime: (ms) => reportTime(ms, "Europe/Stockholm", TO),
  day: reportDay(TO, "Europe/Stockholm"),
  runs: [],
  touched: [],
  open: [],
  notHappened: [],
  promises: [],
  slowest: [],
  growing: [],
  ...o,
});

test("success rate per stream, worst first; apps QRS does not know fall under (no stream)", () => {
  const streams = new Map([
    ["sales", "Sales"],
    ["ledger", "Finance"],
  ]);
  const e = buildReport(
    inputs({
      runs: [
        { appName: "Sales", outcome: "succeeded", runs: 399 },
        { appName: "Sales", outcome: "failed", runs: 1 },
        { appName: "Ledger", outcome: "succeeded", runs: 90 },
        { appName: "Ledger", outcome: "aborted", runs: 10 },
        { appName: null, outcome: "succeeded", runs: 5 },
      ],
      streamOf: (app) => streams.get(app.toLowerCase()),
    }),
  );
  expect(e.kind).toBe("report.weekly");
  expect(e.title).toBe("Weekly report, Mon, 23 Nov 2026");
  expect(e.sections![0]!.lines).toEqual([
    { text: "Finance: 90.0 % of 100 runs (10 failed or aborted)", tone: "fail" },
    { text: "Sales: 99.8 % of 400 runs (1 failed or aborted)", tone: "warn" },
    { text: "(no stream): 100.0 % of 5 runs", tone: "ok" },
  ]);
  expect(e.summary).toBe("The seven days from Mon 16 Nov 07:00: 11 of 505 runs failed or aborted (0 causes); 0 incidents still open.");
});

test("the morning report's promises late or at risk say why, as the judge does (issue 102: reloaded, still at risk)", () => {
  const e = buildReport(
    inputs({
      kind: "morning",
      from: TO - 86_400_000,
      promises: [
        {
          app: "Sales dashboard",
          promise: "sales-morning",
          state: "at_risk",
          dataAsOf: "2026-11-23T06:04:00.000Z",
          why: 'the run of "Extract sales" in its chain failed at 2026-11-23 01:38 CET',
        },
        { app: "Finance", promise: "sales-morning", state: "late", dataAsOf: null },
      ],
    }),
  );
  expect(e.sections!.find((x) => x.title === "Freshness promises late or at risk")!.lines).toEqual([
    { text: 'Finance: late ("sales-morning"), data as of (no successful reload seen)', tone: "fail" },
    {
      text: 'Sales dashboard: at risk ("sales-morning"), data as of Mon 23 Nov 07:04: the run of "Extract sales" in its chain failed at 2026-11-23 01:38 CET',
      tone: "warn",
    },
  ]);
});

test("times in the report's zone; the year only when it differs", () => {
  expect(reportTime(Date.parse("2026-11-23T06:00:00Z"), "Europe/Stockholm", TO)).toBe("Mon 23 Nov 07:00");
  expect(reportTime(Date.parse("2025-12-31T23:30:00Z"), "Europe/Stockholm", TO)).toBe("Thu 1 Jan 00:30");
  expect(reportTime(Date.parse("2025-12-31T12:00:00Z"), "UTC", TO)).toBe("Wed 31 Dec 2025 12:00");
});

test("the reports a config without reports: gets are the schema's defaults", () => {
  expect(ReportsSchema.parse({})).toEqual(DEFAULT_REPORTS);
});

test("the morning report lists the watchdog's notices among what is not running, as warnings, not failures (issue 64)", () => {
  const r = buildReport(
    inputs({
      kind: "morning",
      from: TO - 86_400_000,
      notHappened: [
        { title: "Task schedule ended: Reload Ops", type: "disabled", notice: true },
        { title: "Task taking longer than usual (still learning): Reload Ledger", type: "running_long", notice: true },
        { title: "Task running long: Reload Sales", type: "running_long" },
      ],
    }),
  );
  expect(r.sections?.find((s) => s.title === "Late, stale or not running")?.lines).toEqual([
    { text: "Task schedule ended: Reload Ops", tone: "warn" },
    { text: "Task taking longer than usual (still learning): Reload Ledger", tone: "warn" },
    { text: "Task running long: Reload Sales", tone: "fail" },
  ]);
});

test("the runs a Scheduler retry recovered get a line under Runs: not paged, but counted (issue 76)", () => {
  const e = buildReport(
    inputs({
      kind: "morning",
      runs: [{ appName: "Sales", outcome: "succeeded", runs: 12 }],
      recoveredByRetry: [{ taskName: "Reload Sales", attempts: 2, endedMs: TO - 3_600_000 }],
    }),
  );
  expect(e.sections![0]!.lines).toEqual([
    { text: "12 runs: 12 succeeded, 0 failed, 0 aborted", tone: "ok" },
    { text: "1 run recovered by the Scheduler's retry, not paged: Reload Sales (attempt 2, Mon 23 Nov 06:00)", tone: "info" },
  ]);
  expect(buildReport(inputs({ kind: "morning" })).sections![0]!.lines).toHaveLength(1);
});
