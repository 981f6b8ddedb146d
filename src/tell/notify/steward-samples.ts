// Samples of the events Steward raises about itself and its reports (steward.degraded, intake.node_silent, the
// morning and weekly reports), for `alert preview`, the template tests and the docs' examples. Their sentences give
// instants in ISO-8601: a message says them on the site's clock (template-vars.ts), as the live events do.
import type { ReportSection, SiteEvent, SiteEventKind } from "../../platform/events/types";

type Sample = { title: string; summary: string; data: SiteEvent["data"]; sections?: ReportSection[] };

export const STEWARD_SAMPLES: Record<Extract<SiteEventKind, `steward.${string}` | `intake.${string}` | `report.${string}`>, Sample> = {
  "steward.degraded": {
    title: "Steward on QS-NODE1 is degraded: qrs",
    summary:
      "Since 2026-11-24T18:50:18.000Z, qrs fails: QRS refused the client certificate (HTTP 401). Check that this server reaches the Qlik Repository Service (qlik.host, port qlik.qrsPort, usually 4242), that the certificates in qlik.certDir are the ones exported from the QMC for this server (client.pem, client_key.pem, root.pem), and that the user in qlik.userDirectory/userId exists. `steward doctor` on this server tries each dependency.",
    data: {
      instance: "QS-NODE1",
      component: "qrs",
      detail: "QRS refused the client certificate (HTTP 401)",
      since: "2026-11-24T18:50:18.000Z",
      fix: "Check that this server reaches the Qlik Repository Service. `steward doctor` on this server tries each dependency.",
    },
  },
  "steward.recovered": {
    title: "Steward on QS-NODE1 works again: qrs",
    summary:
      "qrs failed from 2026-11-24T18:50:18.000Z to 2026-11-24T19:04:48.000Z (QRS refused the client certificate (HTTP 401)); now: https://qs-node1:4242 reachable (QRS 14.187.4).",
    data: { instance: "QS-NODE1", component: "qrs", since: "2026-11-24T18:50:18.000Z", detail: "https://qs-node1:4242 reachable (QRS 14.187.4)" },
  },
  "intake.node_silent": {
    title: "Node sense2.corp.example sends no task events to Steward",
    summary:
      "Since 2026-11-24T18:50:18.000Z, 3 runs on sense2.corp.example reached Steward only from QRS (reconciliation), none by datagram (the last came at 2026-11-24T16:02:11.000Z): alerts for this node's tasks come minutes late. On sense2.corp.example, check that C:\\ProgramData\\Qlik\\Sense\\Scheduler\\LocalLogConfig.xml is there (an upgrade of Qlik Sense removes it; steward appender-xml writes it) and the Qlik Sense Scheduler Service was restarted after it was written, and that UDP port 9998 to Steward is open from sense2.corp.example (firewall).",
    data: {
      node: "sense2.corp.example",
      runs: 3,
      since: "2026-11-24T18:50:18.000Z",
      lastDatagram: "2026-11-24T16:02:11.000Z",
      fix: "Check the appender file and UDP port 9998 on sense2.corp.example.",
    },
  },
  "intake.node_recovered": {
    title: "Node sense2.corp.example sends task events again",
    summary:
      "A task event from sense2.corp.example reached Steward at 2026-11-24T20:14:03.000Z, the first since 2026-11-24T18:50:18.000Z: its runs are alerted at once again.",
    data: { node: "sense2.corp.example", since: "2026-11-24T18:50:18.000Z", heardAt: "2026-11-24T20:14:03.000Z" },
  },
  "report.morning": {
    title: "Morning report, Tue, 24 Nov 2026",
    summary: "Since Mon 23 Nov 07:00: 3 of 412 runs failed or aborted (2 causes); 1 incident still open; 1 late, stale or not running; 1 promised app late.",
    data: {
      from: "2026-11-23T06:00:00.000Z",
      to: "2026-11-24T06:00:00.000Z",
      runs: 412,
      failed: 2,
      aborted: 1,
      stillOpen: 1,
      notHappened: 1,
      promisesBroken: 1,
    },
    sections: [
      { title: "Runs", lines: [{ text: "412 runs: 409 succeeded, 2 failed, 1 aborted", tone: "fail" }] },
      {
        title: "Failures by cause",
        lines: [
          { text: "connection (2 tasks): Reload Finance – General ledger, Reload Sales dashboard", tone: "fail" },
          { text: "not classified (1 task): Run ERP extract", tone: "fail" },
        ],
        empty: "No task failed.",
      },
      {
        title: "Still open",
        lines: [{ text: "Reload Sales dashboard: failing since Tue 24 Nov 02:10 (2 failures)", tone: "fail" }],
        empty: "Nothing: every task that failed has succeeded since.",
      },
      { title: "Late, stale or not running", lines: [{ text: "Task did not start: Reload Logistics KPIs", tone: "fail" }], empty: "" },
      {
        title: "Freshness promises late or at risk",
        lines: [{ text: 'Sales dashboard: late ("sales-morning"), data as of Mon 23 Nov 06:41', tone: "fail" }],
        empty: "Every promised app is on time.",
      },
      { title: "Slowest reloads", lines: [{ text: "Reload Customer 360: 42 min at most, 31 min on average (1 run)" }], empty: "No reload ran." },
      {
        title: "Reloads growing fastest",
        lines: [{ text: "Reload Inventory on hand: 12 min on average this week, 6 min the three weeks before (×2.0)", tone: "warn" }],
        empty: "",
      },
    ],
  },
  "report.weekly": {
    title: "Weekly report, Mon, 23 Nov 2026",
    summary: "The seven days from Mon 16 Nov 07:00: 14 of 2,870 runs failed or aborted (3 causes); 1 incident still open.",
    data: {
      from: "2026-11-16T06:00:00.000Z",
      to: "2026-11-23T06:00:00.000Z",
      runs: 2870,
      failed: 12,
      aborted: 2,
      stillOpen: 1,
      notHappened: 0,
      promisesBroken: 0,
    },
    sections: [
      {
        title: "Success rate per stream",
        lines: [
          { text: "Finance: 98.1 % of 530 runs (10 failed or aborted)", tone: "warn" },
          { text: "Sales: 99.7 % of 1,200 runs (4 failed or aborted)", tone: "warn" },
          { text: "HR: 100.0 % of 140 runs", tone: "ok" },
        ],
      },
    ],
  },
};
