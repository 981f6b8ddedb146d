// An action update (issue 101): the outcome of a remediation action that no other message carries (refused, not
// needed, expired, its start failed, its retry failed while nothing else was due), told on its own to each channel
// that carried the page of its incident or cause. Remediation (src/start/remediation/action-updates.ts) decides and
// queues it; the channels render it as a site event; the on-call products add it to their open alert as a note.
import type { SiteEvent } from "./types";

export const ACTION_UPDATE_KIND = "remediation.action_update";

/** Its id: one per action, so two Stewards, or a Steward taking over after a kill, queue it once. */
export const actionUpdateEventId = (actionId: number) => `action-${actionId}:update`;

/** What an action update names, read back from its data; undefined for any other event. */
export interface ActionUpdateRef {
  actionId: number;
  /** The conversation of the page it follows (src/tell/notify/thread.ts): `task:<id>` or `cause:<id>`. */
  thread: string;
  /** The on-call products' alert of that page (steward-incident-N, steward-cause-N). */
  alertKey: string;
  /** What it says: the action's line as every channel shows it. */
  lines: string[];
  /** The page's delivery to each receiver (`channel|recipient` → its delivery key): a mail's In-Reply-To. */
  replyTo: Record<string, string>;
}

export function actionUpdateOf(e: { kind: string; data?: Record<string, unknown> }): ActionUpdateRef | undefined {
  if (e.kind !== ACTION_UPDATE_KIND || !e.data) return undefined;
  const { actionId, thread, alertKey, lines, replyTo } = e.data;
  if (typeof actionId !== "number" || typeof thread !== "string" || typeof alertKey !== "string" || typeof lines !== "string") return undefined;
  return {
    actionId,
    thread,
    alertKey,
    lines: JSON.parse(lines) as string[],
    replyTo: typeof replyTo === "string" ? (JSON.parse(replyTo) as Record<string, string>) : {},
  };
}

export interface ActionUpdateInput {
  actionId: number;
  incidentId: number;
  causeId: number | null;
  taskId: string;
  taskName: string;
  kind: string;
  status: string;
  outcome: string | null;
  /** Who asked (the verified identity the action was recorded with) and who confirmed it. */
  requestedBy: string;
  confirmedBy: string | null;
  /** The action's failure: it never started, or it ran and failed. */
  failed: boolean;
  lines: string[];
  thread: string;
  alertKey: string;
  replyTo: Record<string, string>;
  /**
   * A re-run's actions that ended together (an engine wait that gave up), told as one update: each run, in chain
   * order; `actionId` is the first's. Absent for one action.
   */
  runs?: Array<{ actionId: number; taskId: string; taskName: string }>;
}

const NOUN: Record<string, string> = { retry: "Retry", rerun: "Re-run", reload: "Engine reload", chain: "Chain start" };

export function actionUpdateEvent(a: ActionUpdateInput, now: number, host: string): SiteEvent {
  const noun = NOUN[a.kind] ?? "Action";
  const how = a.status === "ended" ? `${a.outcome ?? "ended"}` : a.status === "skipped" ? "not needed" : a.status === "cancelled" ? "cancelled" : "not started";
  const where = a.causeId ? `cause #${a.causeId}` : `incident #${a.incidentId}`;
  const runs = a.runs && a.runs.length > 1 ? a.runs : undefined;
  const about = runs ? `${runs.length} runs` : a.taskName;
  return {
    id: actionUpdateEventId(a.actionId),
    kind: ACTION_UPDATE_KIND,
    receivedAt: new Date(now).toISOString(),
    host,
    title: `${about}: ${noun.toLowerCase()} asked by ${a.requestedBy} ${a.failed ? "FAILED" : how}`.replace(/^./, (c) => c.toUpperCase()),
    summary: a.lines.join("\n"),
    facts: [
      { name: runs ? "Tasks" : "Task", value: runs ? runs.map((r) => r.taskName).join(", ") : a.taskName },
      { name: "Action", value: runs ? `${noun} (actions ${runs.map((r) => r.actionId).join(", ")})` : `${noun} (action ${a.actionId})` },
      { name: "Asked by", value: a.confirmedBy ? `${a.requestedBy}, confirmed by ${a.confirmedBy}` : a.requestedBy },
      { name: "Outcome", value: a.failed ? `failed: ${how}` : how },
      { name: "About", value: where },
    ],
    data: {
      actionId: a.actionId,
      incidentId: a.incidentId,
      causeId: a.causeId,
      taskId: a.taskId,
      taskName: a.taskName,
      action: a.kind,
      status: a.status,
      outcome: a.outcome,
      failed: a.failed,
      requestedBy: a.requestedBy,
      confirmedBy: a.confirmedBy,
      thread: a.thread,
      alertKey: a.alertKey,
      lines: JSON.stringify(a.lines),
      replyTo: JSON.stringify(a.replyTo),
      ...(runs ? { runs: JSON.stringify(runs) } : {}),
    },
  };
}
