// A person's direct start over REST under the two-person rule (remediation.approval.directStarts: two-person): the
// start routes hand it to the gate instead of starting it, and answer 202 with the action that waits for a second
// person, never a "started" that did not happen. Only one task by its id is held: a start by tag, custom property or
// several ids would be confirmed as something other than what the second person sees, so it is refused with a reason.
import type { Context } from "hono";
import { auditActorOf, isVerifiedActor } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { HttpEnv } from "../../platform/http/types";
import { isGuid } from "../../platform/qlik/qrs-filter";
import type { HeldStartFilter } from "./held-start-filter";
import { isEmptySelector, parseStartRequest, type StartBody } from "./start-request";

/** Who asks for a held start, as the two-person rule counts people (remediation's Asker). */
export interface DirectStartAsker {
  taskId: string;
  by: string;
  from: "rest";
  ip?: string;
  verified: boolean;
}

/** What the gate did: the action waiting (or confirmed and due), or why nothing was recorded. */
export type HeldStart =
  | { ok: true; action: { id: number; status: string; taskId: string; taskName: string }; awaiting: boolean; confirmed?: { firstBy: string; already: boolean } }
  | { ok: false; status: 403 | 404; code: string; field: string; message: string };

/** Remediation's side of the gate, set once remediation is built (it is built after the start routes). */
export interface DirectStartGate {
  hold(r: DirectStartAsker): Promise<HeldStart>;
}

const ONE_TASK =
  "the two-person rule (remediation.approval.directStarts) holds a start of one task by its id for a second person: name exactly one task id (in the path or as the body's only taskId), with no tag, custom property, keyvaluestore item or ?wait";

/** The one task id of a start the gate may hold, or the reason it cannot. */
function oneTaskOf(pathTaskId: string | undefined, body: StartBody, wait: boolean | undefined): { taskId: string } | { error: string; field: string } {
  const { selector, kvWrites, kvSkipped } = parseStartRequest(pathTaskId, body);
  if (isEmptySelector(selector)) return { error: "nothing to start: give a task id in the path, or taskId in the body", field: "taskId" };
  const ids = [...new Set((selector.taskIds ?? []).map((id) => id.toLowerCase()))];
  const extra = (selector.tags ?? []).length + (selector.customProperties ?? []).length + kvWrites.length + kvSkipped.length;
  if (ids.length !== 1 || extra > 0 || wait) return { error: ONE_TASK, field: ids.length !== 1 ? "taskId" : extra > 0 ? "body" : "wait" };
  if (!isGuid(ids[0]!)) return { error: `invalid task id ${ids[0]}: expected a GUID`, field: "taskId" };
  return { taskId: ids[0]! };
}

/** The answer of a start route under the two-person rule. */
export async function holdDirectStart(
  c: Context<HttpEnv>,
  gate: DirectStartGate,
  pathTaskId: string | undefined,
  body: StartBody,
  wait: boolean | undefined,
  allowlist: HeldStartFilter,
): Promise<Response> {
  const one = oneTaskOf(pathTaskId, body, wait);
  if ("error" in one) return c.json(errorBody(409, "CONFLICT", one.error, { field: one.field }), 409);
  const actor = auditActorOf(c);
  // Before anything is recorded: neither the first person's ask nor a second's confirmation may hold a start the
  // allowlist refuses (the worker would refuse it only after two people had agreed on it).
  const refused = await allowlist(one.taskId, actor);
  if (refused !== undefined) return c.json(errorBody(403, "FORBIDDEN", refused, { field: "taskId", filter: "control.startTaskFilter" }), 403);
  const held = await gate.hold({ taskId: one.taskId, by: actor.name, from: "rest", verified: isVerifiedActor(actor), ...(actor.ip ? { ip: actor.ip } : {}) });
  if (!held.ok) return c.json(errorBody(held.status, held.code, held.message, { field: held.field }), held.status);
  const { action } = held;
  const message = held.confirmed
    ? `confirmed the start ${held.confirmed.firstBy} asked for: one Steward of the site starts ${action.taskName} now`
    : held.awaiting
      ? `nothing was started: the two-person rule (remediation.approval.directStarts) holds this start of ${action.taskName} until a second, different person confirms it (POST /v4/remediation/actions/${action.id}/confirm, or the same start with their own key)`
      : `a start of ${action.taskName} is already under way (action ${action.id}): it was not started twice`;
  return c.json(
    {
      // Butler's clients read these: nothing was started by this call.
      tasksStarted: [],
      totalTasksStarted: 0,
      awaiting: held.awaiting,
      ...(held.confirmed ? { confirmed: held.confirmed } : {}),
      action,
      confirm: `/v4/remediation/actions/${action.id}/confirm`,
      message,
    },
    202,
  );
}
