// Who gets an e-mail for one route: the channel's and route's static addresses (optionally gated by a task
// custom property), addresses from a task custom property, and the app owner (with include/exclude lists).
// De-duplicated case-insensitively, first spelling kept; invalid addresses are reported, not sent to.
import type { RouteConfig } from "./config";
import type { DomainEvent, NameValue, QlikUserRef } from "../../platform/events/types";
import { isDataCheckEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";

export interface RecipientSource {
  address: string;
  /** static | customProperty | appOwner */
  via: string;
}

export interface ResolvedRecipients {
  recipients: RecipientSource[];
  skipped: Array<{ address: string; reason: string }>;
  /** Why the static addresses were left out, when they were. */
  staticGated?: string;
}

const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

const splitAddresses = (value: string) =>
  value
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const userKey = (dir: string, id: string) => `${dir}\\${id}`.toLowerCase();
const normRef = (ref: string) => ref.replace("/", "\\").toLowerCase();

/** The task custom properties and app owner an event carries (a data check's come from its reload). */
function peopleOf(event: DomainEvent): { taskCps: NameValue[]; owner: QlikUserRef | undefined } | undefined {
  if (isTaskEvent(event)) return { taskCps: event.task.customProperties, owner: event.app?.owner };
  if (isDataCheckEvent(event)) return { taskCps: event.task?.customProperties ?? [], owner: event.app.owner };
  if (isWatchdogEvent(event)) return { taskCps: event.task?.customProperties ?? [], owner: event.app?.owner };
  return undefined;
}

/** `onCall`: who the route's oncall schedule has on duty now (recipients.onCall), and why; no person: nobody is. */
export function resolveRecipients(
  staticTo: string[],
  route: RouteConfig,
  event: DomainEvent,
  onCall?: { schedule: string; person?: string; why: string },
): ResolvedRecipients {
  const r = route.recipients;
  const out: RecipientSource[] = [];
  const skipped: ResolvedRecipients["skipped"] = [];
  let staticGated: string | undefined;

  const statics = [...staticTo, ...(r?.addresses ?? [])];
  const gate = r?.enableByCustomProperty;
  if (gate) {
    const cps = peopleOf(event)?.taskCps ?? [];
    const on = cps.some((cp) => cp.name.toLowerCase() === gate.name.toLowerCase() && cp.value.toLowerCase() === gate.value.toLowerCase());
    if (!on) staticGated = `the task does not have custom property ${gate.name}=${gate.value}`;
  }
  if (!staticGated) for (const a of statics) out.push({ address: a, via: "static" });

  if (onCall?.person) out.push({ address: onCall.person, via: `oncall:${onCall.schedule}` });
  else if (onCall) skipped.push({ address: `oncall:${onCall.schedule}`, reason: onCall.why });

  const people = peopleOf(event);
  if (people && r?.fromCustomProperty) {
    const name = r.fromCustomProperty.toLowerCase();
    for (const cp of people.taskCps) {
      if (cp.name.toLowerCase() === name) for (const a of splitAddresses(cp.value)) out.push({ address: a, via: "customProperty" });
    }
  }

  const ownerCfg = r?.appOwner;
  if (ownerCfg?.enabled && people?.owner) {
    const owner = people.owner;
    const key = userKey(owner.userDirectory, owner.userId);
    const included = ownerCfg.include === "all" || ownerCfg.include.some((ref) => normRef(ref) === key);
    const excluded = ownerCfg.exclude.some((ref) => normRef(ref) === key);
    if (!included) skipped.push({ address: owner.emails[0] ?? key, reason: "app owner not in appOwner.include" });
    else if (excluded) skipped.push({ address: owner.emails[0] ?? key, reason: "app owner in appOwner.exclude" });
    else if (owner.emails.length === 0) skipped.push({ address: key, reason: "app owner has no e-mail address in QRS" });
    else for (const a of owner.emails) out.push({ address: a, via: "appOwner" });
  }

  const seen = new Set<string>();
  const recipients: RecipientSource[] = [];
  for (const rcpt of out) {
    const k = rcpt.address.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    if (!ADDRESS.test(rcpt.address)) skipped.push({ address: rcpt.address, reason: `not an e-mail address (from ${rcpt.via})` });
    else recipients.push(rcpt);
  }
  return { recipients, skipped, staticGated };
}
