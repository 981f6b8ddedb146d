// Issue 88: a Slack or Teams route with recipients.onCall mentions whoever is on duty when the alert was queued, by
// the ids `oncall.people` gives them (a Slack member id; a Teams user principal name or Entra object id). A person
// without an id for the product is named in plain text: the post says who is on duty, but pings nobody.
import { type OnCallConfig, scheduleOf } from "./config";
import { onDuty } from "./on-duty";

export interface OnDutyMention {
  /** The mail address the schedule names the person by. */
  address: string;
  /** Shown in the post: the configured name, else the address. */
  name: string;
  slack?: string;
  teams?: string;
}

/** Who the post of a route naming schedule `schedule` mentions at `atMs`; undefined when nobody is on duty. */
export function onDutyMention(oncall: OnCallConfig | undefined, schedule: string | undefined, atMs: number): OnDutyMention | undefined {
  if (schedule === undefined) return undefined;
  const s = scheduleOf(oncall, schedule);
  const person = s ? onDuty(s, atMs).person : undefined;
  return person ? personMention(oncall, person) : undefined;
}

/** How a post mentions `person` (a mail address), by the ids oncall.people gives them (case of the address ignored). */
export function personMention(oncall: OnCallConfig | undefined, person: string): OnDutyMention {
  const known = Object.entries(oncall?.people ?? {}).find(([address]) => address.toLowerCase() === person.toLowerCase())?.[1];
  return {
    address: person,
    name: known?.name ?? person,
    ...(known?.slack ? { slack: known.slack } : {}),
    ...(known?.teams ? { teams: known.teams } : {}),
  };
}
