// GET /v4/report: the morning report's facts for a span the caller chooses ("last night", "since Friday"), built on
// request from the same stores and sent nowhere: for a read key, the dashboard's visitors and the assistants.
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { ReportService } from "./service";

const DAY = 86_400_000;
/** The longest span one request may ask for: the run history keeps 35 days. */
export const REPORT_SPAN_MAX_DAYS = 31;

const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export function registerReportRoute(router: Router, deps: { reports: ReportService; clock: Clock }): void {
  router.route(
    {
      method: "get",
      path: "/v4/report",
      summary: "What happened on the site in a span of time",
      description: `The morning report's facts for [from, to): the handover (open incidents, who holds them, snoozes ending within a day of to), what is being done (remediation's actions for the open incidents, and each action that ended in the span with who asked and how it went), the runs and their failures by cause, incidents still open, what did not happen or is late, promises at risk, the slowest and the fastest-growing reloads. Defaults: the last 24 hours. At most ${REPORT_SPAN_MAX_DAYS} days.`,
      tags: ["Alerts"],
      scope: "read",
      query: z.object({
        from: isoTime.optional().describe("Start, ISO 8601 with a zone (default: `to` minus `hours`)"),
        hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(REPORT_SPAN_MAX_DAYS * 24)
          .optional()
          .describe("Without `from`: the span's length in hours, back from `to` (default 24)"),
        to: isoTime.optional().describe("End, ISO 8601 with a zone (default: now)"),
      }),
      responses: { 200: { description: "the report: title, summary and its sections" } },
    },
    async (c, { query }) => {
      const to = query.to ?? deps.clock.now();
      const from = query.from ?? to - (query.hours ? query.hours * 3_600_000 : DAY);
      if (from >= to) throw new AppError("BAD_REQUEST", "from must be before to", { details: { field: "from" } });
      if (to - from > REPORT_SPAN_MAX_DAYS * DAY) {
        throw new AppError("BAD_REQUEST", `the span may be at most ${REPORT_SPAN_MAX_DAYS} days`, { details: { field: "from" } });
      }
      const report = await deps.reports.summarize(from, to);
      return c.json({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        title: report.title,
        summary: report.summary,
        facts: report.facts,
        sections: report.sections ?? [],
        data: report.data,
      });
    },
  );
}
