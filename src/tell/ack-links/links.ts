// The acknowledge and snooze links of one message: made when the message is built (so a retry or a digest carries
// links valid from its own send), for the person it goes to (a mail address) or the Teams or Slack channel.
import { isTaskEvent } from "../../platform/events/types";
import type { Notification } from "../notify/types";
import type { ActionLinksConfig } from "./config";
import type { LinkStore } from "./link-store";
import { linkQuery, newNonce, signLink, type LinkAction, type LinkParams, type LinkTarget } from "./signature";

export interface ActionLink {
  action: LinkAction;
  text: string;
  url: string;
}

/** Who a link is for: the mail address, or the channel for channels that do not address a person. */
export const linkRecipient = (n: Pick<Notification, "recipient" | "channel">): string => n.recipient ?? `channel:${n.channel}`;

/** The open incident a message is about, when it is one a person can acknowledge. */
export function openIncidentOf(n: Pick<Notification, "event" | "digest">): number | undefined {
  if (n.digest || !isTaskEvent(n.event)) return undefined;
  const incident = n.event.incident;
  return incident && incident.status === "open" ? incident.id : undefined;
}

/**
 * What a message's links name: the open cause its page is about (a node down, a queue backed up, a source failing:
 * acknowledging it acknowledges every incident it holds, whether it holds any or not), else the task's open incident.
 */
export function linkTargetOf(n: Pick<Notification, "event" | "digest">): { target: LinkTarget; id: number } | undefined {
  if (n.digest) return undefined;
  const cause = n.event.cause;
  if (cause?.status === "open") return { target: "cause", id: cause.id };
  const incident = openIncidentOf(n);
  return incident === undefined ? undefined : { target: "incident", id: incident };
}

/** Every link's landing path (linkPath's shape): the browser guard lets a browser confirm it from any origin. */
export const LINK_PATH_PATTERN = /^\/act\/(incident|cause)\/\d{1,16}$/;

export function linkPath(id: number, target: LinkTarget = "incident"): string {
  return `/act/${target}/${id}`;
}

/** What approved remediation offers on this message (RemedyPort): a retry of its incident's task, a re-run of its queue cause's cancelled runs. */
export interface Offers {
  retry?: boolean;
  rerun?: boolean;
  /** Reload the incident's app through the Engine. */
  reload?: boolean;
  /** Start the incident's chain again from one of its tasks (the link's page lists them). */
  chain?: boolean;
}

export async function makeActionLinks(cfg: ActionLinksConfig, store: LinkStore, n: Notification, now: number, offers: Offers = {}): Promise<ActionLink[]> {
  // A queue's recovered page names the runs Qlik cancelled: its cause has closed, so it carries no Acknowledge or
  // Snooze, only the re-run, which acts while those runs have not run again (the link's page says when nothing is left).
  const closed = offers.rerun && !n.digest && n.event.cause?.status === "closed" ? { target: "cause" as const, id: n.event.cause.id } : undefined;
  const named = linkTargetOf(n) ?? closed;
  if (!cfg.publicBaseUrl || named === undefined) return [];
  const { secret } = await store.key(now);
  const base = cfg.publicBaseUrl.replace(/\/+$/, "");
  const make = (action: LinkAction, text: string, to = named): ActionLink => {
    const p: LinkParams = {
      incidentId: to.id,
      ...(to.target === "cause" ? { target: "cause" as const } : {}),
      action,
      recipient: linkRecipient(n),
      expiresAt: now + cfg.expiry,
      nonce: newNonce(),
    };
    return { action, text, url: `${base}${linkPath(to.id, to.target)}?${linkQuery(p, signLink(secret, p))}` };
  };
  if (named === closed) return [make("rerun", "Re-run the cancelled runs")];
  const links = [make("ack", "Acknowledge"), make("snooze", "Snooze")];
  if (offers.rerun && named.target === "cause") links.push(make("rerun", "Re-run the cancelled runs"));
  // A retry, a reload and a chain's start act on this message's task: they name the task's incident, also on a page
  // whose other links name its cause.
  const incident = openIncidentOf(n);
  if (incident === undefined) return links;
  const own = { target: "incident" as const, id: incident };
  if (offers.retry) links.push(make("retry", "Retry the task", own));
  if (offers.reload) links.push(make("reload", "Reload the app", own));
  if (offers.chain) links.push(make("chain", "Restart the chain", own));
  return links;
}
