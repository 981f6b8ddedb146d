// Who acts on a link sent to a Teams or Slack channel: the channel's incoming webhook carries no person, and a click
// on the link says nothing of who clicked (issue 88). The link's page asks for a name, remembers it in this browser
// (a cookie for the link pages only), and the acknowledgement, snooze or retry is recorded as that name with the
// channel the link came through: "Anna Svensson (channel:ops-chat)". The name is what the person typed; the signed link
// stays the credential, as for a link sent to a mail address.
import { z } from "zod";

export const NAME_COOKIE = "steward_link_name";
const ONE_YEAR_S = 365 * 86_400;

/** A link made for a channel rather than a person (linkRecipient's `channel:<name>`). */
export const isChannelLink = (recipient: string): boolean => recipient.startsWith("channel:");

/** A person's name as typed: trimmed, 1–80 characters, no control characters (it is shown and audited as is). */
export const PersonNameSchema = z
  .string()
  .trim()
  .min(1, "Type your name: it is recorded as who acted.")
  .max(80, "A name of at most 80 characters.")
  .regex(/^[^\p{Cc}]+$/u, "A name without control characters.");

/** The name this browser gave before, from the cookie; undefined when none or not a valid name. */
export function rememberedName(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== NAME_COOKIE) continue;
    try {
      const r = PersonNameSchema.safeParse(decodeURIComponent(v.join("=")));
      return r.success ? r.data : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The Set-Cookie value remembering the name for the link pages (Secure when the page was served over HTTPS). */
export function nameCookie(name: string, https: boolean): string {
  return `${NAME_COOKIE}=${encodeURIComponent(name)}; Path=/act; Max-Age=${ONE_YEAR_S}; SameSite=Lax; HttpOnly${https ? "; Secure" : ""}`;
}

/** Who acted, as recorded: the person and the channel their link came through. */
export const actorName = (name: string, recipient: string): string => `${name} (${recipient})`;
