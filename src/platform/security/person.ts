// Who a recorded actor is as a person, for the two-person rule: a key mapped to a person (security.apiKeys[].person),
// a person signed in with the company directory, or otherwise the credential itself. The person travels inside the
// actor's name ("key-anna (person:anna@corp.example)", "Anna <anna@corp.example> (sso:8f3c…)") because the rule
// compares the name stored with the first press, possibly by another Steward of the cluster, with the second's.
import type { KeyIdentity } from "./key-ring";
import { ssoSubjectOf } from "./sso/identity";

/** The audit's and the remediation rows' name of a key: its name, and the person it belongs to when the config says. */
export function keyActorName(id: Pick<KeyIdentity, "name" | "person">): string {
  return id.person ? `${id.name} (person:${id.person})` : id.name;
}

const MAIL = /^[^<>\s@]+@[^<>\s@]+$/;

/**
 * The names one person goes by in an actor's name, in lower case: a mapped key's person; a signed-in person's subject
 * and mail address; else the name itself (a key without a person, a certificate rule, the address a link was made for).
 */
export function personNamesOf(actorName: string): string[] {
  const name = actorName.trim();
  const mapped = /\(person:([^()\s]+)\)$/.exec(name)?.[1];
  if (mapped !== undefined) return [mapped.toLowerCase()];
  const subject = ssoSubjectOf(name);
  if (subject === undefined) return [name.toLowerCase()];
  const shown = name.replace(/\s*\(sso:[^)]+\)$/, "");
  const mail = /<([^<>\s]+)>$/.exec(shown)?.[1] ?? (MAIL.test(shown) ? shown : undefined);
  return [subject.toLowerCase(), ...(mail ? [mail.toLowerCase()] : [])];
}

/** Whether two actors are one person: any name one goes by is one the other goes by too. */
export function samePerson(a: string, b: string): boolean {
  const names = new Set(personNamesOf(a));
  return personNamesOf(b).some((n) => names.has(n));
}
