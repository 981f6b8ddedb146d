// What a grouping rule decided about one event: send it (it opened a parent, or closed one) or hold it as a symptom
// of a parent. The parent's id lets the gate put the parent's shape (what it affects) on the event the channels render.
import type { CauseStore, SymptomInput } from "./cause-store";
import type { GraphTask } from "./chain-graph";

/**
 * `recovering`: a symptom ended while others stay open (never an update: only new symptoms are). `repeat`: the same
 * failure again, left to the incident's renotify (sent or held as it decides), its receivers noted with the parent.
 * `toldWherePaged`: held, yet told to the receivers of the parent's page (the end of what that page announced, while
 * the cause waits for what it left behind).
 */
export type CauseDecision =
  | { action: "pass"; parentId: number; repeat?: true }
  | { action: "suppress"; parentId: number; reason: string; recovering?: true; toldWherePaged?: true };

type Touched = Awaited<ReturnType<CauseStore["recover"]>>;

/** After a recovery: the closing call passes (the parent's recovered page); one that leaves symptoms open is held. */
export function afterRecovery(touched: Touched, what = "symptom(s) open"): CauseDecision | undefined {
  if (touched.length === 0) return undefined;
  const closed = touched.find((t) => t.closed);
  if (closed) return { action: "pass", parentId: closed.parentId };
  const t = touched[0]!;
  return {
    action: "suppress",
    parentId: t.parentId,
    recovering: true,
    reason: `cause #${t.parentId} still has ${t.remaining} ${what}: its recovery is sent when the last ends`,
  };
}

export const symptomReason = (parentId: number, title: string) => `a symptom of cause #${parentId} (${title}): listed there, not sent on its own`;

/** A task listed with a cause as waiting for it (after a failed upstream, or behind a full queue): not paged. */
export const waitingEntry = (t: GraphTask, eventId: string): SymptomInput => ({
  subject: `task:${t.id}`,
  kind: "task.waiting",
  eventId,
  taskName: t.name,
  taskId: t.id,
  ...(t.appName ? { appName: t.appName } : {}),
  ...(t.appId ? { appId: t.appId } : {}),
  ...(t.stream ? { stream: t.stream } : {}),
});

/** The task and app an event names, as a cause lists them beside the symptom. */
export const taskAndApp = (task: { id: string; name: string }, app: { id: string; name: string; stream?: string } | undefined) => ({
  taskName: task.name,
  taskId: task.id,
  ...(app ? { appName: app.name, appId: app.id } : {}),
  ...(app?.stream ? { stream: app.stream } : {}),
});
