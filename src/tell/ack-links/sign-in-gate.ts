// Alert links and the company directory (security.sso): a person signed in with the directory acts on a link as
// their directory identity, whatever address or channel the link was sent to; a link asks the person to sign in
// first when the site wants every action named by the directory (security.sso.requireForActions), and always for an
// action under the two-person rule, so that two presses are two people and not one person's two mail addresses.
import type { Context } from "hono";
import { principalOf } from "../../platform/http/request-state";
import type { HttpEnv } from "../../platform/http/types";
import { resultPage } from "./page";
import type { LinkAction } from "./signature";

/** What the links know of single sign-on, when it is set up. */
export interface LinkSignIn {
  requireForActions: boolean;
  /** "Sign in with <label>". */
  label: string;
}

/** The directory identity signed in with this browser (the access guard read its session), if any. */
export function signedInPerson(c: Context<HttpEnv>): string | undefined {
  const p = principalOf(c);
  return p.kind === "sso" ? p.name : undefined;
}

/** Whether this link's action may only be taken by a signed-in person. */
export function signInNeeded(signIn: LinkSignIn | undefined, action: LinkAction, twoPeople: (a: LinkAction) => boolean): boolean {
  if (!signIn) return false;
  return signIn.requireForActions || twoPeople(action);
}

/** The sign-in that comes back to this very link (its signed query included). */
export function signInLink(c: Context<HttpEnv>, signIn: LinkSignIn): { href: string; text: string } {
  const url = new URL(c.req.url);
  return { href: `/auth/login?next=${encodeURIComponent(url.pathname + url.search)}`, text: `Sign in with ${signIn.label}` };
}

export function signInReason(twoPeople: boolean): string {
  return twoPeople
    ? "This action needs two different people to agree: sign in with your company account first, so that each of you is counted once."
    : "This site records every action from an alert's link by your company account: sign in first, then confirm.";
}

/**
 * The page asking to sign in first (answered 401, the link left unused), when this action needs a signed-in person
 * and nobody is; undefined when the person may go on.
 */
export function signInFirst(
  c: Context<HttpEnv>,
  signIn: LinkSignIn | undefined,
  action: LinkAction,
  person: string | undefined,
  twoPeople: (a: LinkAction) => boolean,
): string | undefined {
  if (person || !signIn || !signInNeeded(signIn, action, twoPeople)) return undefined;
  return resultPage("Sign in to use this link", signInReason(twoPeople(action)), signInLink(c, signIn));
}
