// The service's side of the reload and chain actions: the REST requests as they are, and what the alert's links offer
// and say (RemedyPort): "Reload the app" on a reload task's open incident, "Restart the chain" when its task is in a
// chain Steward knows, each only when remediation.links lists it.
import { type DomainEvent, isTaskEvent } from "../../platform/events/types";
import type { LinkAnswer, RemedyPort } from "../../tell/ack-links/remedy-port";
import type { RemediationConfig } from "./config";
import type { IncidentActionAnswer, MoreRequests } from "./more-requests";

const sentence = (m: string) => `${m[0]!.toUpperCase()}${m.slice(1)}.`;
const SECOND = "The two-person rule applies: it runs once a second, different person confirms it (their own link, the dashboard or REST).";

/** The link page's words for an ask the two-person rule holds or refuses, or undefined when it does not apply. */
function approvalWords(a: IncidentActionAnswer, what: string): LinkAnswer | undefined {
  if (!a.ok) return a.status === 403 ? { ok: false, status: 403, title: "A second person must confirm", message: sentence(a.message) } : undefined;
  if (a.awaiting)
    return {
      ok: true,
      title: "Waiting for a second person",
      message: `Your ${what} is recorded (action #${a.action.id}) and waits for a second person. ${SECOND}`,
    };
  if (a.confirmed)
    return {
      ok: true,
      title: "Confirmed",
      message: `${a.confirmed.already ? "Already confirmed: " : ""}the ${what} ${a.confirmed.firstBy} asked for runs now (action #${a.action.id}). The incident's next message says how it went.`,
    };
  return undefined;
}

export function moreOffers(cfg: RemediationConfig, more: MoreRequests) {
  const links = new Set<string>(cfg.links);
  const openTaskIncident = (e: DomainEvent) => cfg.offer && isTaskEvent(e) && e.source !== "test" && e.incident?.status === "open";
  const offers: Pick<RemedyPort, "offersReload" | "offersChain" | "chainTasks" | "reload" | "chain"> = {
    offersReload(e: DomainEvent) {
      return links.has("reload") && openTaskIncident(e) && isTaskEvent(e) && e.taskType === "reload" && e.app !== undefined;
    },
    async offersChain(e: DomainEvent) {
      if (!links.has("chain") || !openTaskIncident(e) || !isTaskEvent(e)) return false;
      return (await more.chainOf(e.task.id)).length > 1;
    },
    chainTasks: (id) => more.chainOfIncident(id),
    async reload(req) {
      const a = await more.requestReload(req);
      const held = approvalWords(a, "reload of the app");
      if (held) return held;
      if (!a.ok) return { ok: false, message: sentence(a.message) };
      if (!a.added)
        return {
          ok: true,
          message: `${a.action.taskName} already has an action under way (${a.action.kind}, asked by ${a.action.requestedBy}, action #${a.action.id}): nothing more is started.`,
        };
      return {
        ok: true,
        message: `The app of ${a.action.taskName} will be reloaded through the Engine now, as the task would (action #${a.action.id}). The incident's next message says how it went.`,
      };
    },
    async chain(req) {
      const a = await more.requestChain(req);
      const held = approvalWords(a, "start of the chain");
      if (held) return held;
      if (!a.ok) return { ok: false, message: sentence(a.message) };
      if (!a.added)
        return {
          ok: true,
          message: `${a.action.taskName} already has an action under way (asked by ${a.action.requestedBy}, action #${a.action.id}): it is started once.`,
        };
      return {
        ok: true,
        message: `${a.action.taskName} will be started now (action #${a.action.id}); the rest of the chain runs as its triggers start it. The incident's next message says how it went.`,
      };
    },
  };
  return {
    requestReload: more.requestReload,
    requestChain: more.requestChain,
    chainOfIncident: more.chainOfIncident,
    ...offers,
  };
}
