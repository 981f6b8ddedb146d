// Builds the site events the monitors raise (the type is part of the domain events in events/types.ts).
import type { SiteEvent, SiteEventKind } from "./types";

export type { SiteEvent, SiteEventKind } from "./types";

export function siteEvent(
  kind: SiteEventKind,
  key: string,
  host: string,
  nowMs: number,
  text: { title: string; summary: string },
  data: SiteEvent["data"],
): SiteEvent {
  const facts = Object.entries(data)
    .filter(([, v]) => v !== null && v !== "")
    .map(([name, v]) => ({ name, value: String(v) }));
  return { id: `${kind}:${key}`, kind, receivedAt: new Date(nowMs).toISOString(), host, title: text.title, summary: text.summary, facts, data };
}
