// The template names Steward renders: per channel type, per event kind (plus "digest"), per part.
import type { EventKind } from "../../../platform/events/types";
import { EVENT_KINDS } from "../../../platform/events/types";

export type MessageKind = EventKind | "digest";
export const MESSAGE_KINDS: readonly MessageKind[] = [...EVENT_KINDS, "digest"];

/** Parts rendered per message kind, by channel type. */
export const TEMPLATE_PARTS = {
  email: ["subject", "html", "text"],
  slack: ["json"],
  teams: ["json"],
  webhook: ["json"],
} as const;

export type TemplatedChannel = keyof typeof TEMPLATE_PARTS;

/** e.g. "email/task.failed.html". */
export function templateName(channel: TemplatedChannel, kind: MessageKind, part: string): string {
  return `${channel}/${kind}.${part}`;
}

/** Every top-level template name (partials, which start with "_", are not listed). */
export function allTemplateNames(): string[] {
  const out: string[] = [];
  for (const [channel, parts] of Object.entries(TEMPLATE_PARTS)) {
    for (const kind of MESSAGE_KINDS) for (const part of parts) out.push(templateName(channel as TemplatedChannel, kind, part));
  }
  return out;
}

/** HTML parts are escaped on interpolation; subjects, text and JSON are not. */
export function isHtml(name: string): boolean {
  return name.endsWith(".html");
}
