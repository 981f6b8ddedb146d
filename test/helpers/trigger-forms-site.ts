// A simulated site holding every trigger form the QMC and the QRS API store (issue 59): a "once" written as an hourly
// option with no increment, day steps under the hourly option, the community weekday form, numbers as strings, every
// daylight-saving option (3 included), an expiry east of UTC, a future start, every-second-week, office quarter hours,
// the last day and the last Friday of the month, a start written with a zone suffix, a trigger no Qlik reads and one
// Qlik reads differently from Steward; in four zones, across Stockholm's spring change (29 March) and Sydney's autumn
// change (5 April). Its injected faults, each with the one missed start it must raise, are data too.

const Z = (s: string) => Date.parse(s);

export interface FormTask {
  name: string;
  node: "Central" | "Reload01" | "Reload02";
  trigger: Record<string, unknown>;
}

/** A Monday; two weeks from it hold Stockholm's spring change and Sydney's autumn change. */
export const FORMS_START = Z("2026-03-23T00:00:00Z");

export const FORM_TASKS: FormTask[] = [
  {
    name: "Once, hourly option, no increment",
    node: "Central",
    trigger: { incrementOption: 1, incrementDescription: "0 0 0 0", startDate: "2026-03-25T09:00:00", timeZone: "Europe/Stockholm" },
  },
  {
    name: "Daily 02:30 Stockholm, hourly option",
    node: "Reload02",
    trigger: { incrementOption: "hourly", incrementDescription: "0 0 1 0", startDate: "2026-03-01T02:30:00", timeZone: "Europe/Stockholm" },
  },
  {
    name: "Weekdays New York, community form",
    node: "Central",
    trigger: {
      incrementOption: 5,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * - * 1-5 * * *",
      startDate: "2017-01-11T12:05:46.000",
      expirationDate: "9999-01-01T00:00:00.000",
      timeZone: "America/New_York",
    },
  },
  {
    name: "Daily 02:30 Sydney, numbers as strings",
    node: "Reload02",
    trigger: { incrementOption: "2", incrementDescription: "0 0 1 0", startDate: "2026-01-01T02:30:00", timeZone: "Australia/Sydney", daylightSavingTime: "0" },
  },
  {
    name: "Permanent standard time Stockholm",
    node: "Central",
    trigger: { incrementOption: 2, startDate: "2026-01-01T06:00:00", timeZone: "Europe/Stockholm", daylightSavingTime: 1 },
  },
  {
    name: "Permanent daylight time Sydney",
    node: "Central",
    trigger: { incrementOption: 2, startDate: "2026-01-01T07:00:00", timeZone: "Australia/Sydney", daylightSavingTime: 2 },
  },
  {
    name: "Daylight option 3 Stockholm",
    node: "Central",
    trigger: { incrementOption: 2, startDate: "2026-01-01T08:15:00", timeZone: "Europe/Stockholm", daylightSavingTime: 3 },
  },
  {
    name: "Expires in Kolkata's time",
    node: "Central",
    // 03:00 in Kolkata on 30 March is 21:30Z on the 29th: the 06:00 (00:30Z) fire of the 30th is after it. Read as
    // UTC the expiry would be 03:00Z on the 30th, and a start would be expected that the Scheduler never makes.
    trigger: { incrementOption: 2, startDate: "2026-03-01T06:00:00", expirationDate: "2026-03-30T03:00:00.000", timeZone: "Asia/Kolkata" },
  },
  { name: "Future start Stockholm", node: "Central", trigger: { incrementOption: 2, startDate: "2026-03-30T05:00:00", timeZone: "Europe/Stockholm" } },
  {
    name: "Every second week Monday and Wednesday",
    node: "Central",
    trigger: {
      incrementOption: "weekly",
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * - 1,3 2 * * *",
      startDate: "2026-03-02T04:00:00",
      timeZone: "Europe/Stockholm",
    },
  },
  {
    name: "Office quarter hours",
    node: "Central",
    trigger: {
      incrementOption: "custom",
      incrementDescription: "15 0 0 0",
      schemaFilterDescription: "* 7-17 - 1,2,3,4,5 * * * *",
      startDate: "2026-03-02T07:00:00",
      timeZone: "Europe/Stockholm",
    },
  },
  {
    name: "Last day of the month",
    node: "Central",
    trigger: {
      incrementOption: "monthly",
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * - * * \u00a4 * *",
      startDate: "2026-01-01T05:30:00",
      timeZone: "Europe/Stockholm",
    },
  },
  {
    name: "Last Friday of the month",
    node: "Central",
    trigger: {
      incrementOption: "monthly",
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: "* * \u00a4 5 * * * *",
      startDate: "2026-01-01T05:45:00",
      timeZone: "Europe/Stockholm",
    },
  },
  {
    name: "Hourly on weekdays, UTC",
    node: "Central",
    trigger: {
      incrementOption: 1,
      incrementDescription: "0 1 0 0",
      schemaFilterDescription: "* * - 1,2,3,4,5 1 * * *",
      startDate: "2026-03-02T00:10:00",
      timeZone: "UTC",
    },
  },
  {
    name: "A form no Qlik reads",
    node: "Central",
    trigger: { incrementOption: 2, incrementDescription: "every day", startDate: "2026-03-01T06:00:00", unreadable: true },
  },
  {
    name: "Read differently by Qlik",
    node: "Reload01",
    trigger: { incrementOption: 2, startDate: "2026-01-01T04:30:00", timeZone: "Europe/Stockholm", schedulerShiftMinutes: 7 },
  },
  { name: "Start written with a Z", node: "Central", trigger: { incrementOption: 2, startDate: "2026-03-01T03:10:00.000Z", timeZone: "Europe/Stockholm" } },
];

export function formsSiteYaml(): string {
  return JSON.stringify({
    site: { name: "Trigger forms" },
    nodes: [
      { name: "Central", hostName: "sense1.corp.example", central: true },
      { name: "Reload01", hostName: "sense2.corp.example" },
      { name: "Reload02", hostName: "sense3.corp.example" },
    ],
    users: [{ userDirectory: "CORP", userId: "qlikadmin" }],
    tasks: FORM_TASKS.map((t) => ({
      name: t.name,
      type: "externalProgram",
      path: "C:\\jobs\\run.cmd",
      node: t.node,
      durationMs: 60_000,
      triggers: [{ type: "schema", name: `${t.name} trigger`, ...t.trigger }],
    })),
  });
}

/**
 * What the site raises without a fault: the task whose only trigger expires no longer runs on its own, as its end
 * date said (a task.notice, not a task.disabled page: issue 64), at the expiry in the trigger's own zone.
 */
export const FORM_EXPECTED = [{ kind: "task.notice", task: "Expires in Kolkata's time", at: Z("2026-03-29T21:30:00Z") }];

export type FormAction = { pause: true } | { resume: true } | { nodeDown: string } | { nodeUp: string };

/** A fault and the one missed start it must raise: the task and the time that start was due. */
export interface FormFault {
  name: string;
  at: number;
  apply: FormAction;
  revertAt: number;
  revert: FormAction;
  misses: Array<{ task: string; dueAt: number }>;
}

export const FORM_FAULTS: FormFault[] = [
  {
    name: "the Scheduler service stopped 10:05–10:25 CET on Wednesday",
    at: Z("2026-03-25T09:05:00Z"),
    apply: { pause: true },
    revertAt: Z("2026-03-25T09:25:00Z"),
    revert: { resume: true },
    misses: [
      { task: "Office quarter hours", dueAt: Z("2026-03-25T09:15:00Z") },
      { task: "Hourly on weekdays, UTC", dueAt: Z("2026-03-25T09:10:00Z") },
    ],
  },
  {
    // 02:30 does not exist in Stockholm that night: the run is due at 03:30 CEST (01:30Z), not at 01:30 CET.
    name: "Reload02 down around 03:30 CEST on the night the clocks go forward",
    at: Z("2026-03-29T01:20:00Z"),
    apply: { nodeDown: "Reload02" },
    revertAt: Z("2026-03-29T01:40:00Z"),
    revert: { nodeUp: "Reload02" },
    misses: [{ task: "Daily 02:30 Stockholm, hourly option", dueAt: Z("2026-03-29T01:30:00Z") }],
  },
  {
    // Qlik fires this trigger at 04:37 CEST (02:37Z) where Steward's reading says 04:30: QRS's time is the expectation.
    name: "Reload01 down around QRS's 04:37 on Tuesday",
    at: Z("2026-03-31T02:33:00Z"),
    apply: { nodeDown: "Reload01" },
    revertAt: Z("2026-03-31T02:50:00Z"),
    revert: { nodeUp: "Reload01" },
    misses: [{ task: "Read differently by Qlik", dueAt: Z("2026-03-31T02:37:00Z") }],
  },
  {
    // 02:30 happens twice in Sydney that night (AEDT 15:30Z, AEST 16:30Z): the run is due at the second.
    name: "Reload02 down around the second 02:30 of Sydney's autumn night",
    at: Z("2026-04-04T16:20:00Z"),
    apply: { nodeDown: "Reload02" },
    revertAt: Z("2026-04-04T16:50:00Z"),
    revert: { nodeUp: "Reload02" },
    misses: [{ task: "Daily 02:30 Sydney, numbers as strings", dueAt: Z("2026-04-04T16:30:00Z") }],
  },
];
