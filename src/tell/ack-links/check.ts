// Checks a link that reached the landing page: complete, signed with the site's key for this incident or cause, not
// expired, not used. Each refusal says what is wrong in words a person who clicked a link understands.
import { z } from "zod";
import type { LinkStore } from "./link-store";
import { LINK_ACTIONS, verifyLink, type LinkParams, type LinkTarget } from "./signature";

export const LinkQuerySchema = z.object({
  a: z.enum(LINK_ACTIONS),
  r: z.string().min(1).max(320),
  x: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  n: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  s: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
});

export type LinkRefusal = { status: 400 | 403 | 409 | 410; reason: string };
export type LinkCheck = { ok: true; params: LinkParams } | ({ ok: false } & LinkRefusal);

const refuse = (status: LinkRefusal["status"], reason: string): LinkCheck => ({ ok: false, status, reason });

/** Everything but single use, which the action itself records (see LinkStore.use). `at`: a time as the page says it. */
export async function checkLink(
  store: LinkStore,
  named: { target: LinkTarget; id: number },
  query: unknown,
  now: number,
  at: (ms: number) => string,
): Promise<LinkCheck> {
  const parsed = LinkQuerySchema.safeParse(query);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? "?");
    return refuse(400, `This link is incomplete or was altered (parameter ${field}). Open the link from the message again, or use the dashboard.`);
  }
  const q = parsed.data;
  const params: LinkParams = {
    incidentId: named.id,
    ...(named.target === "cause" ? { target: "cause" as const } : {}),
    action: q.a,
    recipient: q.r,
    expiresAt: q.x,
    nonce: q.n,
  };
  const { secret } = await store.key(now);
  if (!verifyLink(secret, params, q.s))
    return refuse(
      403,
      "This link's signature does not match: it was altered, it was made for another incident or cause, or the link key was rotated since it was sent. Use the dashboard.",
    );
  if (now > q.x) return refuse(410, `This link expired at ${at(q.x)}. Use the dashboard, or the link of a newer message.`);
  const used = await store.usedAt(q.n);
  if (used) return refuse(409, `This link was used already, at ${at(used.usedAt)}: a link acts once.`);
  return { ok: true, params };
}
