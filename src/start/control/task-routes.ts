// Butler-compatible task start routes: POST/PUT /v4/reloadtask/{taskId}/start, /v4/reloadtask/-/start and
// /v4/reloadtask/start, with both body forms, ?allTaskIdsMustExist and Steward's ?wait=true&timeout=.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Context } from "hono";
import { z } from "zod";
import { parseTimeout, type StartHandler } from "./start-handler";
import { StartBodySchema, type StartBody } from "./start-request";
import { AppError } from "../../platform/core/errors";
import { grants } from "../../platform/security/policy";
import { StartResponseSchema } from "./start-response";
import type { StartOrigin } from "./types";
import { queryBoolean, type Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import { principalOf } from "../../platform/http/request-state";
import { type DirectStartGate, holdDirectStart } from "./direct-start-gate";
import type { HeldStartFilter } from "./held-start-filter";

const StartQuerySchema = z.lazy(() =>
  z.object({
    allTaskIdsMustExist: queryBoolean.optional().describe("When true and any requested id is malformed or unknown, no id-selected task starts."),
    wait: queryBoolean.optional().describe("When true, answer once the started runs have finished, with outcome, duration and script log tail."),
    timeout: z
      .string()
      .refine((t) => parseTimeout(t) !== undefined, "expected milliseconds or a duration like 90s, 5m, 1h")
      .optional()
      .describe("How long ?wait=true waits (default control.wait.defaultTimeoutMs, at most control.wait.maxTimeoutMs)."),
  }),
);

const ErrorSchema = z.lazy(() => z.object({ error: z.string(), code: z.string(), details: z.unknown().optional() }));

/** The caller as the audit log records it. */
export function restOrigin(c: Context<HttpEnv>): StartOrigin {
  const actor = auditActorOf(c);
  return { kind: "rest", name: actor.name, actor };
}

/**
 * Butler's start body may carry keyvaluestore items, which are written to the key-value store: that needs
 * kv.write too, or a tasks-only key could change any key (even with no task in the request).
 */
function assertMayWriteKv(c: Context<HttpEnv>, body: StartBody): void {
  if (!Array.isArray(body) || !body.some((item) => item.type === "keyvaluestore")) return;
  const scopes = principalOf(c).scopes ?? [];
  if (!grants(scopes, "kv.write")) {
    throw new AppError("FORBIDDEN", 'the body carries keyvaluestore items: storing them needs scope "kv.write" as well as "tasks"');
  }
}

/** `gate`: set when remediation.approval.directStarts is two-person (a person's start then waits for a second one). */
/** `allowlist`: the start allowlist's answer for a start held for a second person (none: every task may be held). */
export function registerTaskRoutes(
  router: Router,
  handle: StartHandler,
  gate: () => DirectStartGate | undefined = () => undefined,
  allowlist: HeldStartFilter = async () => undefined,
): void {
  const responses = {
    200: { description: "What was started, not found, invalid or denied (and, with wait=true, how each run ended).", schema: StartResponseSchema },
    202: {
      description:
        "Under the two-person rule (remediation.approval.directStarts: two-person): nothing started yet; the action waits for a second, different person (awaiting, action.id, confirm: where to confirm it), or this start confirmed another person's (confirmed).",
    },
    400: { description: "Invalid task ID format, or a malformed body.", schema: ErrorSchema },
    403: {
      description:
        "Under the two-person rule: the same person confirming their own start, a caller without a verified identity, or a task the start allowlist (control.startTaskFilter) refuses (details.filter names it).",
      schema: ErrorSchema,
    },
    404: { description: "Under the two-person rule: QRS has no such task.", schema: ErrorSchema },
    409: { description: "Under the two-person rule: the start does not name exactly one task by its id.", schema: ErrorSchema },
    502: { description: "QRS could not be reached.", schema: ErrorSchema },
  };
  const description =
    "Starts Qlik Sense tasks of any type by id, tag or custom property. The body is either `{taskId:[…], tag:[…], " +
    "customProperty:[{name,value}]}` or Butler's array `[{type: starttaskid|starttasktag|starttaskcustomproperty|keyvaluestore, payload}]`. " +
    "Key-value items are stored before any task starts. The start allowlist (control.startTaskFilter) applies.";

  router.route(
    {
      method: ["post", "put"],
      path: "/v4/reloadtask/:taskId/start",
      summary: "Start tasks (task id in the path, or '-' for body only)",
      description,
      tags: ["tasks"],
      scope: "tasks",
      butlerFlag: "senseStartTask",
      params: z.object({ taskId: z.string().min(1) }),
      query: StartQuerySchema,
      body: StartBodySchema,
      responses,
    },
    async (c, { params, query, body }) => {
      assertMayWriteKv(c, body);
      const held = gate();
      if (held) return holdDirectStart(c, held, params.taskId, body, query.wait, allowlist);
      return c.json(
        await handle(params.taskId, body, restOrigin(c), {
          allTaskIdsMustExist: query.allTaskIdsMustExist,
          wait: query.wait,
          timeoutMs: query.timeout ? parseTimeout(query.timeout) : undefined,
        }),
      );
    },
  );

  router.route(
    {
      method: ["post", "put"],
      path: "/v4/reloadtask/start",
      summary: "Start tasks named in the body",
      description,
      tags: ["tasks"],
      scope: "tasks",
      butlerFlag: "senseStartTask",
      query: StartQuerySchema,
      body: StartBodySchema,
      responses,
    },
    async (c, { query, body }) => {
      assertMayWriteKv(c, body);
      const held = gate();
      if (held) return holdDirectStart(c, held, undefined, body, query.wait, allowlist);
      return c.json(
        await handle(undefined, body, restOrigin(c), {
          allTaskIdsMustExist: query.allTaskIdsMustExist,
          wait: query.wait,
          timeoutMs: query.timeout ? parseTimeout(query.timeout) : undefined,
        }),
      );
    },
  );
}
