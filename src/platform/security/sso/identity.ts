// How a person signed in with the company directory is named where Steward records who acted (the audit, an
// incident's timeline, messages, the two-person rule): their name and mail address for people to read, and the
// directory's subject, the identity itself, in one string the rule can take apart again.
import type { SsoSession } from "./session-store";

/** How the audit, the timeline and messages name a signed-in person: "Anna Svensson <anna@corp.example> (sso:8f3c…)". */
export function ssoActorName(s: Pick<SsoSession, "subject" | "name" | "email">): string {
  const shown = s.name || s.email || s.subject;
  const mail = s.name && s.email ? ` <${s.email}>` : "";
  return `${shown}${mail} (sso:${s.subject})`;
}

/** The directory subject an actor's name carries, when it names a signed-in person. */
export function ssoSubjectOf(actorName: string): string | undefined {
  return /\(sso:([^)]+)\)$/.exec(actorName)?.[1];
}
