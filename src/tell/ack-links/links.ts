// The acknowledge and snooze links of one message: made when the message is built (so a retry or a digest carries
// links valid from its own send), for the person it goes to (a mail address) or the Teams or Slack channel.
import { isTaskEvent } from "../../platform/events/types";
import type { Notification } from "../notify/types";
import type { ActionLinksConfig } from "./config";
import type { LinkStore } from "./link-store";
import { linkQuery, newNonce, signLink, type LinkAction, type LinkParams } from "./signature";

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

/** Every link's landing path (linkPath's shape): the browser guard lets a browser confirm it from any origin. */
export const LINK_PATH_PATTERN = /^\/act\/incident\/\d{1,16}$/;

export function linkPath(incidentId: number): string {
  return `/act/incident/${incidentId}`;
}

export async function makeActionLinks(cfg: ActionLinksConfig, store: LinkStore, n: Notification, now: number): Promise<ActionLink[]> {
  const incidentId = openIncidentOf(n);
  if (!cfg.publicBaseUrl || incidentId === undefined) return [];
  const { secret } = await store.key(now);
  const base = cfg.publicBaseUrl.replace(/\/+$/, "");
  const make = (action: LinkAction, text: string): ActionLink => {
    const p: LinkParams = { incidentId, action, recipient: linkRecipient(n), expiresAt: now + cfg.expiry, nonce: newNonce() };
    return { action, text, url: `${base}${linkPath(incidentId)}?${linkQuery(p, signLink(secret, p))}` };
  };
  return [make("ack", "Acknowledge"), make("snooze", "Snooze")];
}
