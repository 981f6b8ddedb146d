// GET /v4/engine-reloads: who reloaded what outside the schedule (the hub, the data load editor, the Engine API), as
// the Engine's lines told Steward: time, app, user, node, outcome, and whether and why it was alerted. The dashboard,
// the reports and the assistant read it.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { collectWithinBudget } from "../../platform/http/answer-budget";
import type { Router } from "../../platform/http/route";
import type { EngineReloadStore, HeardReload } from "./reload-store";
import { cutLine, MAX_LINE_CHARS } from "./reload-tracker";

/** A page's cursor: the end time and key of the last reload it listed, as opaque text. */
export const reloadCursor = (r: Pick<HeardReload, "endedMs" | "key">) => Buffer.from(JSON.stringify([r.endedMs, r.key])).toString("base64url");

function readCursor(text: string): { endedMs: number; key: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    return Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === "string" ? { endedMs: v[0], key: v[1] } : undefined;
  } catch {
    return undefined;
  }
}

const Query = z.object({
  sinceHours: z.coerce
    .number()
    .min(0)
    .max(24 * 31)
    .default(24)
    .describe("Reloads that ended in the last N hours (default 24, at most 31 days)"),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("At most this many, newest first (default 100)"),
  appId: z.string().trim().min(1).max(100).optional().describe("One app's reloads"),
  outcome: z.enum(["succeeded", "failed"]).optional().describe("Only successful or only failed ones"),
  after: z
    .string()
    .max(4_000)
    .transform((t, ctx) => readCursor(t) ?? (ctx.addIssue({ code: "custom", message: "not a cursor this list gave (next)" }), z.NEVER))
    .optional()
    .describe("The `next` of the previous page: the reloads listed after it"),
});

const ANSWER_NOTE =
  "An answer holds about 1 MiB at most: past it, or past `limit`, `next` names the cursor of the following page (`truncated` says the budget cut the page short). Each failing line is cut at 500 characters, other texts at 2,000.";

/** A heard reload as the API answers it. */
export function reloadView(r: HeardReload) {
  return {
    endedAt: new Date(r.endedMs).toISOString(),
    ...(r.startedMs !== undefined ? { startedAt: new Date(r.startedMs).toISOString(), durationMs: r.endedMs - r.startedMs } : {}),
    app: { id: r.appId, name: r.appName ?? null, stream: r.stream ?? null, published: r.published ?? null },
    user: r.user || null,
    node: r.node,
    outcome: r.outcome,
    alerted: r.alerted,
    // A success QRS did not confirm (the app's lastReloadTime did not move): not fresh data, and it ends no cause.
    unconfirmed: r.outcome === "succeeded" && !r.confirmed,
    reason: r.reason ?? null,
    // Rows stored before the lines were bounded may hold longer ones.
    failingLines: r.lines.map((l) => cutLine(l, MAX_LINE_CHARS)),
  };
}

export function registerEngineReloadRoutes(router: Router, deps: { store?: EngineReloadStore; clock: Clock }): void {
  router.route(
    {
      method: "get",
      path: "/v4/engine-reloads",
      summary: "Reloads outside the Scheduler: who reloaded what, when, where, with what outcome",
      description:
        "Reloads the Engine's reload lines reported (steward appender-xml --engine on each node) that the Scheduler did not run: from the hub, the data load editor or the Engine API. Newest first, with whether each failure was alerted (app.reload_failed) and why or why not. " +
        ANSWER_NOTE,
      tags: ["apps"],
      scope: "read",
      query: Query,
      responses: {
        200: {
          description: "the reloads, newest first, within about 1 MiB",
          schema: () =>
            z.object({
              reloads: z.array(z.record(z.string(), z.unknown())),
              truncated: z.boolean().describe("Reloads were left out to keep the answer within about 1 MiB: ask again with after=next"),
              next: z.string().nullable().describe("Pass as `after` for the next page; null: this is the last"),
              note: z.string().optional(),
            }),
        },
      },
    },
    async (c, { query }) => {
      if (!deps.store) return c.json({ reloads: [], truncated: false, next: null, note: "engineReloads.enabled is off" });
      const store = deps.store;
      const sinceMs = deps.clock.now() - query.sinceHours * 3_600_000;
      const page = await collectWithinBudget({
        limit: query.limit,
        read: (n, last: HeardReload | undefined) =>
          store.list({
            sinceMs,
            limit: n,
            ...(query.appId ? { appId: query.appId } : {}),
            ...(query.outcome ? { outcome: query.outcome } : {}),
            ...(last ? { after: { endedMs: last.endedMs, key: last.key } } : query.after ? { after: query.after } : {}),
          }),
        view: reloadView,
      });
      return c.json({ reloads: page.items, truncated: page.truncated, next: page.more && page.last ? reloadCursor(page.last) : null });
    },
  );
}
