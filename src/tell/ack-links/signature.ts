// Signs and checks the parameters of an acknowledge or snooze link: an HMAC-SHA256 over every field (what it names, a
// task's incident or a cause, the action, the person it was made for, the expiry and a random nonce), so changing any
// of them, or using a link made for one incident or cause on another, breaks the signature.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * retry: "start this task again" (src/start/remediation), offered on incidents of a transient error class; rerun: "re-run
 * the runs the queue cancelled", offered on a node's queue cause; reload: "reload the app through the Engine", and
 * chain: "start the chain again from a task", offered on a reload task's incident when remediation.links lists them.
 */
export const LINK_ACTIONS = ["ack", "snooze", "retry", "rerun", "reload", "chain"] as const;
/** The link actions that make Steward act on Qlik: a refusal of any of them is audited, however the link was refused. */
export const ACTING_LINKS: ReadonlySet<string> = new Set(["retry", "rerun", "reload", "chain"]);
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** What a link names: a task's incident, or a cause (a node down, a queue backed up…: the incident of all it holds). */
export type LinkTarget = "incident" | "cause";

export interface LinkParams {
  /** The incident's id, or the cause's when `target` is "cause". */
  incidentId: number;
  /** Absent: an incident (the links made before causes had their own). */
  target?: LinkTarget;
  action: LinkAction;
  /** The person the link was made for (a mail address), or `channel:<name>` for a Teams or Slack channel. */
  recipient: string;
  /** Valid until (ms since the epoch). */
  expiresAt: number;
  /** Random; identifies the link for single use. */
  nonce: string;
}

const canonical = (p: LinkParams) => ["steward-link-v1", p.target ?? "incident", p.incidentId, p.action, p.recipient, p.expiresAt, p.nonce].join("\n");

export function signLink(secret: Buffer, p: LinkParams): string {
  return createHmac("sha256", secret).update(canonical(p)).digest("base64url");
}

export function verifyLink(secret: Buffer, p: LinkParams, signature: string): boolean {
  const want = Buffer.from(signLink(secret, p));
  const got = Buffer.from(signature);
  return got.length === want.length && timingSafeEqual(got, want);
}

export const newNonce = (): string => randomBytes(16).toString("base64url");

/** The query string of a link (the incident or cause is in the path). */
export function linkQuery(p: LinkParams, signature: string): string {
  const q = new URLSearchParams({ a: p.action, r: p.recipient, x: String(p.expiresAt), n: p.nonce, s: signature });
  return q.toString();
}
