// A person of the rota as a Slack member id (issue 106): the id oncall.people gives them, else (slackUserGroup's
// lookupByEmail) the member Slack finds by their mail address, remembered a day, and a miss an hour (the person may
// join the workspace meanwhile), so a look each minute does not ask Slack each minute.
import type { Logger } from "pino";
import type { OnCallConfig } from "./config";
import type { SlackWebApi } from "./slack-web-api";

const LOOKUP_TTL_MS = 86_400_000;
const NOT_FOUND_TTL_MS = 3_600_000;

/** Slack has no member with the person's mail address (or it may not be looked up). */
export class NoSlackMember extends Error {
  constructor(readonly person: string) {
    super(`no Slack member has the mail address ${person}`);
  }
}

export function createSlackMemberIds(log: Logger) {
  const lookups = new Map<string, { id?: string; until: number }>();
  return async function slackIdOf(
    oncall: OnCallConfig | undefined,
    person: string,
    o: { lookupByEmail: boolean; api: () => SlackWebApi; now: number },
  ): Promise<string> {
    const own = Object.entries(oncall?.people ?? {}).find(([mail]) => mail.toLowerCase() === person.toLowerCase())?.[1]?.slack;
    if (own) return own;
    if (!o.lookupByEmail) throw new NoSlackMember(person);
    const key = person.toLowerCase();
    let known = lookups.get(key);
    if (!known || o.now >= known.until) {
      const id = await o.api().userIdByEmail(person);
      known = id ? { id, until: o.now + LOOKUP_TTL_MS } : { until: o.now + NOT_FOUND_TTL_MS };
      lookups.set(key, known);
      if (id) log.info({ person, slackUser: id }, "found the person's Slack id by their mail address");
    }
    if (!known.id) throw new NoSlackMember(person);
    return known.id;
  };
}
