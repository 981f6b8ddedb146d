// What the link's page says after a person confirmed a retry or a re-run: the action asked for, the action joined,
// the wait for a second person under the two-person rule, or why nothing was done (403 for the same person twice).
import type { LinkAnswer } from "../../tell/ack-links/remedy-port";
import type { RerunAnswer } from "./rerun";
import type { RetryAnswer } from "./answers";

const sentence = (m: string) => `${m[0]!.toUpperCase()}${m.slice(1)}.`;
const SECOND = "The two-person rule applies: it runs once a second, different person confirms it (their own link, the dashboard or REST).";

export function retryAnswer(a: RetryAnswer, now: number, formatTime: (ms: number) => string): LinkAnswer {
  if (!a.ok) return { ok: false, message: sentence(a.message), ...(a.status === 403 ? { status: 403, title: "A second person must confirm" } : {}) };
  const when = a.action.dueAt <= now ? "now" : `at ${formatTime(a.action.dueAt)}`;
  if (a.awaiting)
    return {
      ok: true,
      title: "Waiting for a second person",
      message: `Your retry of ${a.action.taskName} is recorded (action #${a.action.id}) and waits for a second person. ${SECOND}`,
    };
  if (a.confirmed)
    return {
      ok: true,
      title: "Confirmed",
      message: `${a.confirmed.already ? "Already confirmed: " : ""}${a.action.taskName}, asked by ${a.confirmed.firstBy}, will be started again ${when} (action #${a.action.id}). The incident's next message says how it went.`,
    };
  if (!a.added)
    return {
      ok: true,
      message: `${a.action.taskName} was already to be retried (asked by ${a.action.requestedBy}, action #${a.action.id}): it is started once.`,
    };
  return { ok: true, message: `${a.action.taskName} will be started again ${when} (action #${a.action.id}). The incident's next message says how it went.` };
}

export function rerunAnswer(a: RerunAnswer): LinkAnswer {
  if (!a.ok && a.nothingLeft) return { ok: false, title: "Nothing left to re-run", message: sentence(a.message) };
  if (!a.ok) return { ok: false, message: sentence(a.message), ...(a.status === 403 ? { status: 403, title: "A second person must confirm" } : {}) };
  const names = a.actions.map((x) => x.taskName).join(", ");
  const node = a.cause.title.replace(/^reload queue backed up on /, "");
  if (a.awaiting)
    return {
      ok: true,
      title: "Waiting for a second person",
      message: `Your re-run of ${a.actions.length} run(s) the queue of ${node} cancelled is recorded (${names || "none new"}) and waits for a second person. ${SECOND}`,
    };
  const joined = a.joined.length === 0 ? "" : ` ${a.joined.length} of them had been asked for already.`;
  const confirmed = a.confirmed ? `Confirmed the re-run ${a.confirmed.firstBy} asked for: ` : "";
  return {
    ok: true,
    ...(a.confirmed ? { title: "Confirmed" } : {}),
    message: `${confirmed}${a.actions.length} run(s) will be started again once the queue of ${node} has drained, one after another in chain order: ${names || "none new"}.${joined} Each incident's next message says how it went.`,
  };
}
