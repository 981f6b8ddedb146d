// Config of maintenance windows (src/tell/maintenance/): planned work when alerts are held back (recorded, not sent) and
// summed up in one notification at the end. One-off (start and end) or recurring (an RRULE in a time zone).
import { z } from "zod";
import { nextOccurrence, RecurrenceBudgetError, readSchedule } from "../../platform/core/rrule";
import { isKnownZone } from "../../platform/core/time-zone";
import { DurationSchema } from "../../platform/core/duration";
import { WindowMatcherSchema } from "../silences/matcher";

const isoTime = () => z.iso.datetime({ offset: true, error: "must be an ISO-8601 time with its offset, e.g. 2026-12-06T22:00:00+01:00" });

/** DTSTART of a recurring window without `from`: any Monday midnight long enough ago (the rule's phase). */
export const DEFAULT_WINDOW_FROM = "2024-01-01T00:00:00";
/** When the config check tries a recurring window's rule once (a Monday without a daylight-saving change). */
const WINDOW_PROBE_MS = Date.UTC(2026, 0, 5, 12);

export const maintenanceWindowSchema = () =>
  z
    .strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, "letters, digits, space, '.', '_' or '-' (at most 64)")
        .describe("Shown in the banner, the reasons of held alerts and the summary."),
      reason: z.string().min(1).max(300).optional().describe("What the work is, shown with the window."),
      start: isoTime().optional().describe("A one-off window: when it begins (give end too)."),
      end: isoTime().optional().describe("A one-off window: when it ends."),
      rrule: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe("A recurring window: when it begins, as an RFC 5545 RRULE in timeZone, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=22;BYMINUTE=0."),
      duration: DurationSchema.optional().describe('A recurring window: how long each lasts, e.g. "8h".'),
      timeZone: z.string().default("UTC").describe("IANA zone the RRULE's wall-clock times are in, e.g. Europe/Stockholm."),
      from: z
        .string()
        .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/, "local date-time like 2026-01-04T00:00")
        .optional()
        .describe("A recurring window: DTSTART, local time in timeZone (matters for INTERVAL > 1); default 2024-01-01T00:00."),
      nodes: z.array(z.string().min(1).max(200)).min(1).optional().describe("Only events about these nodes (short or DNS name); default: the whole site."),
      matcher: WindowMatcherSchema.optional().describe("Only events this matches (the fields of a silence); default: every event."),
    })
    .superRefine((w, ctx) => {
      const oneOff = w.start !== undefined || w.end !== undefined;
      const recurring = w.rrule !== undefined || w.duration !== undefined;
      if (oneOff === recurring) {
        ctx.addIssue({ code: "custom", message: "give either start and end (one-off) or rrule and duration (recurring)", path: [] });
        return;
      }
      if (oneOff) {
        if (!w.start || !w.end) ctx.addIssue({ code: "custom", message: "a one-off window needs start and end", path: [w.start ? "end" : "start"] });
        else if (Date.parse(w.end) <= Date.parse(w.start)) ctx.addIssue({ code: "custom", message: "end must be after start", path: ["end"] });
        return;
      }
      if (!w.rrule || w.duration === undefined) {
        ctx.addIssue({ code: "custom", message: "a recurring window needs rrule and duration", path: [w.rrule ? "duration" : "rrule"] });
        return;
      }
      if (!isKnownZone(w.timeZone)) {
        ctx.addIssue({ code: "custom", message: `unknown time zone '${w.timeZone}'`, path: ["timeZone"] });
        return;
      }
      const read = readSchedule({ recurrence: [w.rrule], timeZone: w.timeZone, startDateTime: w.from ?? DEFAULT_WINDOW_FROM, fallbackStartMs: 0 });
      if (!read.ok) {
        ctx.addIssue({ code: "custom", message: read.error, path: ["rrule"] });
        return;
      }
      // A rule no search can follow within its budget (every second, a COUNT of minutes counted from `from`): the
      // window would never apply. Tried at a fixed time (the check gives the same answer every day); a COUNT whose
      // cost grows past the budget later leaves the window unapplied then, alerts going out.
      try {
        nextOccurrence(read.schedule, WINDOW_PROBE_MS);
      } catch (err) {
        if (!(err instanceof RecurrenceBudgetError)) throw err;
        ctx.addIssue({ code: "custom", message: `${err.message}; Steward cannot follow it: describe the window's real starts`, path: ["rrule"] });
      }
    });
/** For tests and scripts: built on first use and kept. Steward builds it per parse (maintenanceWindowSchema()), so it is dropped after. */
export const MaintenanceWindowSchema = z.lazy(maintenanceWindowSchema);

export type MaintenanceWindowConfig = z.infer<ReturnType<typeof maintenanceWindowSchema>>;

export const maintenanceSchema = () =>
  z
    .strictObject({
      windows: z
        .array(maintenanceWindowSchema())
        .default([])
        .superRefine((ws, ctx) => {
          const seen = new Set<string>();
          ws.forEach((w, i) => {
            if (seen.has(w.name.toLowerCase())) ctx.addIssue({ code: "custom", message: `a second window named ${w.name}`, path: [i, "name"] });
            seen.add(w.name.toLowerCase());
          });
        })
        .describe("Planned work: alerts of the events a window covers are held back while it lasts (recorded, not sent), and summed up at its end."),
    })
    .describe("Maintenance windows. Routes that list maintenance.summary in on: get one notification at the end of each.");

export type MaintenanceConfig = z.infer<ReturnType<typeof maintenanceSchema>>;
