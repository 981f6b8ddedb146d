// Who a recorded actor is as a person, for the two-person rule: a key mapped to a person (security.apiKeys[].person),
// a person signed in with the company directory, or otherwise the credential itself. The person travels inside the
// actor's name ("key-anna (person:anna@corp.example)", "Anna <anna@corp.example> (sso:8f3c…)") because the rule
// compares the name stored with the first press, possibly by another Steward of the cluster, with the second's.
import { domainToASCII } from "node:url";
import type { KeyIdentity } from "./key-ring";
import { ssoSubjectOf } from "./sso/identity";

/** The audit's and the remediation rows' name of a key: its name, and the person it belongs to when the config says. */
export function keyActorName(id: Pick<KeyIdentity, "name" | "person">): string {
  return id.person ? `${id.name} (person:${id.person})` : id.name;
}

const MAIL = /^[^<>\s@]+@[^<>\s@]+$/;

/**
 * The one comparable form of a name a person goes by, for the two-person rule only (the audit and the actions keep
 * the name as it was shown): trimmed, in Unicode's compatibility form (a directory may send "å" as a + ring, a
 * config file has it as one letter), in lower case; a mail address's domain in its ASCII form (bücher.example and
 * xn--bcher-kva.example are one domain). Directory subjects are compared in lower case too, as before: two
 * subjects told apart only by case count as one person, which refuses a confirmation rather than let one through.
 */
export function personKey(name: string): string {
  const plain = name.trim().normalize("NFKC").toLowerCase();
  const at = plain.lastIndexOf("@");
  if (at <= 0 || !MAIL.test(plain)) return plain;
  const domain = domainToASCII(plain.slice(at + 1));
  return domain ? `${plain.slice(0, at)}@${domain}` : plain;
}

/**
 * The names one person goes by in an actor's name, in their comparable form (personKey): a mapped key's person; a
 * signed-in person's subject and mail address; else the name itself (a key without a person, a certificate rule,
 * the address a link was made for).
 */
export function personNamesOf(actorName: string): string[] {
  const name = actorName.trim();
  const mapped = /\(person:([^()\s]+)\)$/.exec(name)?.[1];
  if (mapped !== undefined) return [personKey(mapped)];
  const subject = ssoSubjectOf(name);
  if (subject === undefined) return [personKey(name)];
  const shown = name.replace(/\s*\(sso:[^)]+\)$/, "").trim();
  // The mail claim as the directory sent it, spaces around it included ("Anna <anna@corp.example >").
  const claimed = /<\s*([^<>\s]+)\s*>$/.exec(shown)?.[1] ?? (MAIL.test(shown) ? shown : undefined);
  return [personKey(subject), ...(claimed ? [personKey(claimed)] : [])];
}

/** Whether two actors are one person: any name one goes by is one the other goes by too. */
export function samePerson(a: string, b: string): boolean {
  const names = new Set(personNamesOf(a));
  return personNamesOf(b).some((n) => names.has(n));
}
