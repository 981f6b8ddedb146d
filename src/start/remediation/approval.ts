// The two-person rule (remediation.approval): an action a person asks for from a link, the dashboard or REST waits,
// recorded as 'awaiting', until a second, different person asks for the same (or confirms it by id); the same person
// asking again is refused. The confirmation is one conditional UPDATE (awaiting → pending, naming the second person),
// so two people confirming at once on two Stewards confirm it once, and an approved action is a pending row any
// Steward carries out: a Steward stopping after the confirmation loses nothing.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import { spanText } from "../../tell/notify/time-format";
import { samePerson } from "../../platform/security/person";
import type { ActionStore, RemediationAction } from "./action-store";
import type { ConfirmAnswer } from "./answers";
import type { RemediationConfig } from "./config";

export interface Asker {
  by: string;
  from: "link" | "rest";
  ip?: string;
  /**
   * A verified identity: an API key or a client certificate rule (REST, the dashboard, MCP), a person signed in with the
   * company directory (security.sso), or the mail address a link was made for. Not one: a name typed on a link posted to a channel (a label anybody in the channel can type) and a
   * call without a key that security.anonymous lets through. The two-person rule counts verified identities only.
   */
  verified: boolean;
}

export type ApprovalKind = keyof Omit<RemediationConfig["approval"], "within">;

/** first: nothing awaits, this press is the first (record it awaiting); confirmed: this press confirmed another's. */
export type PressResult =
  | { step: "first" }
  | { step: "confirmed"; actions: RemediationAction[]; firstBy: string; already?: boolean }
  | { step: "refused"; message: string };

export interface ApprovalDeps {
  store: ActionStore;
  clock: Clock;
  audit: AuditLog;
  formatTime(ms: number): string;
  poke(): Promise<void>;
}

/** The approval setting an action's kind is held by. */
export const approvalKindOf = (kind: RemediationAction["kind"]): ApprovalKind =>
  kind === "rerun" ? "rerunCancelled" : kind === "start" ? "directStarts" : kind;

/** Why a press that names nobody verified cannot count as one of the two people, and what to use instead. */
function unverifiedMessage(kind: ApprovalKind, who: Asker): string {
  const what =
    who.from === "link"
      ? `a name typed on a link posted to a channel (${who.by}) is not a verified person`
      : "a call without an API key (security.anonymous) is not a verified person";
  return `the two-person rule (remediation.approval.${kind}) counts verified people only: ${what}. Use the link in your own alert mail, the dashboard or REST with your own API key`;
}

/**
 * Ends the actions nobody confirmed within approval.within: at the next press, and at each look of the worker while
 * one waits, so the person who asked is told it expired (action-updates.ts) without anyone pressing again.
 */
export function expireUnconfirmed(cfg: RemediationConfig, store: Pick<ActionStore, "expireAwaiting">, now: number): Promise<number> {
  return store.expireAwaiting(now - cfg.approval.within, now, `not confirmed by a second person within ${spanText(cfg.approval.within)}`);
}

export function createApproval(cfg: RemediationConfig, deps: ApprovalDeps) {
  const { store, clock } = deps;
  const record = (who: Asker, result: "ok" | "denied", target: string, details: Record<string, unknown>) =>
    deps.audit.record({
      actor: { kind: who.from === "link" ? "link" : "remediation", name: who.by, ...(who.ip ? { ip: who.ip } : {}) },
      action: "remediation.confirm",
      target,
      result,
      details,
    });

  const api = {
    needsTwo: (kind: ApprovalKind) => cfg.approval[kind] === "two-person",
    /** A press of `kind` on `key` under the two-person rule, by `who`. */
    async press(kind: ApprovalKind, key: string, who: Asker): Promise<PressResult> {
      const now = clock.now();
      // Two people are two identities: a typed name is a label (the same person typed "Anna" on the Slack and on the
      // Teams link of one alert, and counted twice), and a keyless call is nobody in particular.
      if (!who.verified) {
        record(who, "denied", key, { approval: key, reason: "not a verified identity" });
        return { step: "refused", message: unverifiedMessage(kind, who) };
      }
      await expireUnconfirmed(cfg, store, now);
      const waiting = await store.awaiting(key);
      if (waiting.length === 0) return { step: "first" };
      const first = waiting[0]!;
      const target = first.kind === "rerun" ? `cause:${first.causeId}` : first.taskId;
      // One person under two names is still one: a key and the sign-in of the person it belongs to, two keys of one
      // person, one subject signed in under a changed name. The store's UPDATE compares names; the person is compared
      // here first (the first press's name never changes, so no second Steward can slip between).
      const again = samePerson(first.requestedBy, who.by);
      const confirmed = again ? [] : await store.confirm(key, { ...who, at: now });
      if (confirmed.length > 0) {
        record(who, "ok", target, {
          approval: key,
          actionIds: confirmed.map((a) => a.id),
          requestedBy: first.requestedBy,
          requestedFrom: first.requestedFrom,
          requestedAt: new Date(first.requestedAt).toISOString(),
          from: who.from,
        });
        await deps.poke();
        return { step: "confirmed", actions: confirmed, firstBy: first.requestedBy };
      }
      if (again && (await store.awaiting(key)).length > 0) {
        const message = `${first.requestedBy} asked for this at ${deps.formatTime(first.requestedAt)}: the two-person rule (remediation.approval.${kind}) needs a second, different person to confirm it, not the same one again`;
        record(who, "denied", target, { approval: key, reason: "the person who asked cannot confirm it", requestedBy: first.requestedBy });
        return { step: "refused", message };
      }
      // Another person confirmed it a moment before this press: it runs once, as theirs.
      const now_ = await Promise.all(waiting.map((a) => store.get(a.id)));
      return { step: "confirmed", actions: now_.filter((a) => a !== undefined), firstBy: first.requestedBy, already: true };
    },
    /** The second person's confirmation of an awaiting action by its id (a re-run's actions are confirmed together). */
    async confirmAction(id: number, who: Asker): Promise<ConfirmAnswer> {
      const a = await store.get(id);
      if (!a) return { ok: false, status: 404, code: "NOT_FOUND", message: `no action ${id}` };
      if (a.status !== "awaiting" || !a.approvalKey)
        return { ok: false, status: 409, code: "CONFLICT", message: `action ${id} is ${a.status}: only an action waiting for a second person is confirmed` };
      const p = await api.press(approvalKindOf(a.kind), a.approvalKey, who);
      if (p.step === "refused") return { ok: false, status: 403, code: "FORBIDDEN", message: p.message };
      if (p.step === "first")
        return { ok: false, status: 409, code: "CONFLICT", message: `action ${id} no longer waits: it was not confirmed within remediation.approval.within` };
      return { ok: true, actions: p.actions, firstBy: p.firstBy, already: p.already === true };
    },
  };
  return api;
}

export type Approval = ReturnType<typeof createApproval>;
