// GET /v4/audit: the persisted audit log (task starts, reloads, dumps, publishes …), newest first, with filters.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { fitAnswer, LIST_ANSWER_NOTE } from "../answer-budget";
import { z } from "zod";
import type { AuditLog } from "../../audit/audit-log";
import type { Router } from "../route";

const isoDate = z.lazy(() =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO-8601 date/time")
    .transform((s) => new Date(s).toISOString()),
);

const AuditQuerySchema = z.lazy(() =>
  z.object({
    action: z
      .string()
      .min(1)
      .optional()
      .describe("Exact action (task.start) or a prefix with * (app.*); also finds the REST writes (api.write) whose operation (details.op) it names."),
    actorKind: z.string().min(1).optional().describe("apiKey, clientCert, anonymous, mqtt, schedule, event-trigger, chain …"),
    actorName: z.string().min(1).optional().describe("API key name, MQTT topic, schedule id, reload job id …"),
    target: z.string().min(1).optional().describe("Task id, app id, topic …"),
    result: z.enum(["ok", "denied", "failed"]).optional(),
    since: isoDate.optional().describe("Entries at or after this time."),
    until: isoDate.optional().describe("Entries at or before this time."),
    limit: z.coerce.number().int().min(1).max(1000).optional().describe("Default 100, at most 1000."),
    before: z.coerce.number().int().min(1).optional().describe("Only entries with a smaller id: the nextBefore of the previous page."),
  }),
);

const AuditRecordSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    at: z.string(),
    actor: z.object({ kind: z.string(), name: z.string(), ip: z.string().optional() }),
    action: z.string(),
    target: z.string().optional(),
    result: z.enum(["ok", "denied", "failed"]),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
);

export function registerAuditRoutes(router: Router, audit: AuditLog): void {
  router.route(
    {
      method: "get",
      path: "/v4/audit",
      summary: "Query the audit log",
      description: `Who started, reloaded, dumped or published what, when, and with which result. Newest first. ${LIST_ANSWER_NOTE}`,
      tags: ["audit"],
      scope: "read",
      query: AuditQuerySchema,
      responses: {
        200: {
          description: "Matching entries, newest first, within about 1 MiB.",
          schema: () =>
            z.object({
              entries: z.array(AuditRecordSchema),
              truncated: z.boolean().describe("Entries were left out to keep the answer within about 1 MiB"),
              nextBefore: z.number().nullable().describe("Pass as `before` for the next page; null: this is the last"),
            }),
        },
      },
    },
    async (c, { query }) => {
      const rows = await audit.query(query);
      const page = fitAnswer(rows);
      const last = page.items[page.items.length - 1];
      const more = page.truncated || rows.length === (query.limit ?? 100);
      return c.json({ entries: page.items, truncated: page.truncated, nextBefore: more && last ? last.id : null });
    },
  );
}
