// A closing message whose alert an action holds open (issue 101): the queue's cause closed while a re-run of its
// cancelled runs waits for an engine, say. PagerDuty and Opsgenie / JSM then get the message's lines as a note on the
// open alert, with a line saying why it stays open, and no resolve: the message that tells the action's outcome ends
// it, or the convergence sweep once that outcome was told (converge.ts asks the same question). A resolve queued on
// purpose (a person's resolve, the sweep's own repair: n.action set) is never held, so a repair is never lost.
import type { Notification } from "../types";
import { alertActionOf } from "./alert";

/** The line the note adds: why the alert is still open, and what ends it. */
export const heldLine = (why: string) => `The alert stays open: ${why}. It is resolved once the outcome is told here.`;

/** The notification to send: unchanged, or (held) a note of its lines and the held line. */
export function holdResolve(n: Notification): Notification {
  if (n.heldOpen === undefined || n.action !== undefined || alertActionOf(n.event) !== "resolve") return n;
  const lines = Array.isArray(n.vars.remediationLines) ? (n.vars.remediationLines as string[]) : [];
  return { ...n, action: "note", vars: { ...n.vars, remediationLines: [...lines, heldLine(n.heldOpen)] } };
}
