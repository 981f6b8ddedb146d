// A Scheduling Task's time schedule where Qlik's Task type puts it: `start.schedule`, either a string (the Serverless
// Workflow's ISO 8601 repeating interval) or an object with `recurrence` (one RRULE string in Qlik's spec and example,
// "RRULE:FREQ=DAILY;INTERVAL=1"; a list of lines is read too), `cron` (a string or `{ expression, validUntil }`),
// `interval`, `timezone`, `startDateTime` and `endDateTime`. Every error names the field it comes from.
import { z } from "zod";
import { readSchedule, type Schedule } from "../../platform/core/rrule";
import { cronToRule, intervalToRule } from "./cloud-schedule-forms";

const Text = z.string().max(2_000);
/** `start.schedule` as an object (exported for the check against Qlik's published type). */
export const ScheduleObject = z.lazy(() =>
  z.looseObject({
    recurrence: z.union([Text, z.array(Text).max(50)]).nullish(),
    cron: z.union([Text, z.looseObject({ expression: Text, validUntil: z.string().max(100).nullish() })]).nullish(),
    interval: Text.nullish(),
    timezone: z.string().max(100).nullish(),
    timeZone: z.string().max(100).nullish(),
    startDateTime: z.string().max(100).nullish(),
    endDateTime: z.string().max(100).nullish(),
  }),
);

export type ScheduleRead = { kind: "none" } | { kind: "ok"; schedule: Schedule; text: string } | { kind: "error"; error: string };

/** `start.schedule` of a task (undefined: the task has none, it starts on events or by hand). */
export function readStartSchedule(value: unknown, createdMs: number | undefined): ScheduleRead {
  if (value === undefined || value === null) return { kind: "none" };
  const fail = (error: string): ScheduleRead => ({ kind: "error", error });
  if (typeof value === "string") {
    const i = intervalToRule(value);
    if (!i.ok) return fail(`start.schedule ${i.error}`);
    return build([i.rule], "UTC", i.start, undefined, createdMs, "start.schedule");
  }
  const p = ScheduleObject.safeParse(value);
  if (!p.success) {
    const issue = p.error.issues[0]!;
    return fail(`start.schedule.${issue.path.join(".") || "(root)"} is not what Qlik documents (${issue.message})`);
  }
  const s = p.data;
  const zone = s.timezone ?? s.timeZone ?? "UTC";
  let start = s.startDateTime ?? undefined;
  let end = s.endDateTime ?? undefined;
  let lines: string[];
  let field: string;
  // One form wins when several are given, the most precise first (Qlik's automations: recurrence over interval).
  if (s.recurrence !== undefined && s.recurrence !== null && (typeof s.recurrence === "string" ? s.recurrence.trim() !== "" : s.recurrence.length > 0)) {
    field = "start.schedule.recurrence";
    // One string may hold several RFC 5545 content lines.
    lines = (typeof s.recurrence === "string" ? [s.recurrence] : s.recurrence).flatMap((l) => l.split(/\r?\n/)).filter((l) => l.trim() !== "");
  } else if (s.cron) {
    field = "start.schedule.cron";
    const expression = typeof s.cron === "string" ? s.cron : s.cron.expression;
    if (typeof s.cron !== "string" && s.cron.validUntil && !end) end = s.cron.validUntil;
    const c = cronToRule(expression);
    if (!c.ok) return fail(`${field} ${c.error}`);
    lines = [c.rule];
  } else if (s.interval) {
    field = "start.schedule.interval";
    const i = intervalToRule(s.interval);
    if (!i.ok) return fail(`${field} ${i.error}`);
    lines = [i.rule];
    start ??= i.start;
  } else {
    return fail("start.schedule has no recurrence, cron or interval");
  }
  return build(lines, zone, start, end, createdMs, field);
}

function build(lines: string[], zone: string, start: string | undefined, end: string | undefined, createdMs: number | undefined, field: string): ScheduleRead {
  const r = readSchedule({
    recurrence: lines,
    timeZone: zone,
    ...(start ? { startDateTime: start } : {}),
    ...(end ? { endDateTime: end } : {}),
    fallbackStartMs: createdMs ?? 0,
  });
  if (!r.ok) return { kind: "error", error: `${field}: ${r.error}` };
  return { kind: "ok", schedule: r.schedule, text: `${lines.join(" ")} (${zone})` };
}
