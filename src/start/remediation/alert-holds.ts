// Whether an action keeps a cause's or an incident's on-call alert open (issue 101): a queue's cause closes as its
// queue drains, which is when a re-run of its cancelled runs starts to wait for an engine; resolved then, PagerDuty's
// and Opsgenie's alert would take no note of the re-run's outcome. So the alert stays open while an action on it is
// pending, claimed or running, and after it ended until its outcome was told (the message or update telling it then
// carries it to the alert, and the sweep resolves it after). One statement a question; asked only of an alert about to
// be resolved (the closing message's delivery to an on-call channel, the convergence sweep).
import type { SqlDb } from "../../platform/store/sql";
import { parseAlertKey } from "../../tell/notify/on-call/alert";
import { type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";
import { GAVE_UP_WAITING } from "./engine-wait-rows";
import { TELL_WITHIN_MS } from "./tell-window";

export interface AlertHoldsDeps {
  db: SqlDb;
  /** remediation.engineWait: an action holds its alert at most this long past its last step (a Steward killed mid-way). */
  engineWaitMs: number;
}

const ACTIVE = ["pending", "claimed", "started"];
/** Not ended, or ended by a run whose end no message told yet (a message telling a run's end marks it told at once). */
const NOT_ENDED = `status IN ('pending', 'claimed') OR (status = 'started' AND (told_event_id IS NULL OR told_event_id LIKE '${TOLD_RUNNING}%'))`;
/**
 * Outcomes told to each receiver (remediation_told_receivers): a person's, a rule's re-run that gave up waiting for an
 * engine, and a rule's re-run whose run ended after its cause closed (lines.ts); a rule's other attempts are told by
 * their task's next message.
 */
const TOLD_PER_RECEIVER = `(requested_from <> 'rule' OR (kind = 'rerun' AND (
  (status = 'failed' AND outcome LIKE '${GAVE_UP_WAITING}%')
  OR ended_at >= COALESCE((SELECT closed_at FROM cause_parents p WHERE p.id = remediation_actions.cause_id), ended_at + 1))))`;
/** A message carrying the outcome was built for the channel asking (it counts as told there once it went). */
const BUILT_THERE = `EXISTS (SELECT 1 FROM remediation_told_receivers r WHERE r.action_id = remediation_actions.id AND r.channel = ?)`;
/**
 * A message carrying the outcome, other than the one asking, still waits to go to the channel (the product was down,
 * or it waits in the alert's thread behind the message asking): a resolve sent before it would leave it nothing to
 * note. Held whatever the outcome's age, as long as the outbox keeps it.
 */
const WAITING_THERE = `EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.channel = ? AND d.event_id <> ? AND d.status IN ('pending', 'sending')
    AND (d.event_id = remediation_actions.told_event_id
      OR d.event_id IN (SELECT r.event_id FROM remediation_told_receivers r WHERE r.action_id = remediation_actions.id AND r.channel = d.channel)))
  AND NOT EXISTS (SELECT 1 FROM remediation_told_receivers r WHERE r.action_id = remediation_actions.id AND r.channel = ? AND r.event_id = ?)`;
/** Ended, its outcome not told to the channel asking yet (within the telling window), or on its way there. */
const OUTCOME_DUE = `status IN ('ended', 'failed', 'skipped', 'cancelled') AND (
  (${TOLD_PER_RECEIVER} AND ((ended_at >= ? AND NOT ${BUILT_THERE}) OR ${WAITING_THERE}))
  OR (NOT ${TOLD_PER_RECEIVER} AND ended_at >= ? AND (told_event_id IS NULL OR told_event_id LIKE '${TOLD_RUNNING}%')))`;

/** A cause's actions: its re-runs, and those asked on the incidents of its symptoms since it opened. */
const OF_CAUSE = `(cause_id = ? OR (requested_at >= (SELECT opened_at FROM cause_parents WHERE id = ?)
  AND LOWER('task:' || task_id) IN (SELECT LOWER(subject) FROM cause_symptoms WHERE parent_id = ?)))`;

/**
 * The last sign of life of an action still to run: its due time, its wait for a free engine, its claim or its start.
 * An action that moved on from none of them within engineWait (its Steward killed, its run's end never heard) no
 * longer holds the alert: the engine wait's own give-up comes at that moment too.
 */
const lastStep = (a: RemediationAction) => Math.max(a.dueAt, a.waitingSince ?? 0, a.claimedAt ?? 0, a.startedAt ?? 0);

/** What the action is doing, for the log and the delivery's record. */
function doing(a: RemediationAction): string {
  const what = `${a.kind === "rerun" ? "re-run" : a.kind} of "${a.taskName}" (action ${a.id})`;
  if (a.status === "started") return `Steward's ${what} is running`;
  if (a.status === "pending" || a.status === "claimed")
    return a.waitingSince !== null ? `Steward's ${what} waits for a free engine` : `Steward's ${what} is pending`;
  return `the outcome of Steward's ${what} is not told yet`;
}

export function createAlertHolds(deps: AlertHoldsDeps) {
  const { db, engineWaitMs } = deps;
  /**
   * Why the on-call alert `key` stays open on `channel` now (the first action holding it), or undefined: nothing holds
   * it there. `eventId`: the message asking, whose own lines tell what they carry.
   */
  return async function alertHeld(key: string, channel: string, now: number, eventId = ""): Promise<string | undefined> {
    const ref = parseAlertKey(key);
    if (!ref) return undefined;
    const which = "cause" in ref ? OF_CAUSE : "incident_id = ?";
    const args = "cause" in ref ? [ref.cause, ref.cause, ref.cause] : [ref.incident];
    const rows = await db.all<Record<string, unknown>>(
      `SELECT * FROM remediation_actions WHERE ${which} AND ((${NOT_ENDED}) OR (${OUTCOME_DUE})) ORDER BY id LIMIT 50`,
      [...args, now - TELL_WITHIN_MS, channel, channel, eventId, channel, eventId, now - TELL_WITHIN_MS],
    );
    const holding = rows.map(rowOf).find((a) => (ACTIVE.includes(a.status) ? now < lastStep(a) + engineWaitMs : true));
    return holding ? doing(holding) : undefined;
  };
}

export type AlertHeld = ReturnType<typeof createAlertHolds>;
