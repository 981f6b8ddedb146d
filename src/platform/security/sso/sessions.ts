// Who a session cookie names: the session read from the shared store (any Steward of the cluster made it), as the
// principal the access guard and the audit use. A session whose access token is due is refreshed at the directory
// first, by one Steward (a claim in the store): the session ends when the directory refuses the refresh (the account
// was disabled or signed out there); while the directory cannot be reached it goes on until its lifetime ends. A
// session unused for security.sso.idleTimeout ends (its last request is kept in the shared store, so on every
// Steward), and so does one whose sealed tokens no longer open (the token key changed): the person signs in again.
import type { Logger } from "pino";
import type { AuditLog } from "../../audit/audit-log";
import type { Clock } from "../../core/clock";
import type { Principal } from "../../http/types";
import type { Directory } from "./directory";
import { describe } from "./directory";
import { ssoActorName } from "./identity";
import type { SessionStore, SsoSession } from "./session-store";
import { TokenKeyError } from "./token-seal";

/** How long a Steward holds a refresh it claimed (and waits before asking an unreachable directory again). */
const REFRESH_CLAIM_MS = 60_000;
/** A session's last request is written at most this often (a request per page would be a write per page). */
export const TOUCH_EVERY_MS = 60_000;

export interface SessionPrincipals {
  /** The principal of the session `id`, or undefined when it is unknown, ended or past its lifetime. */
  principal(id: string): Promise<(Principal & { session: SsoSession }) | undefined>;
}

/** An error that is the directory's answer (invalid_grant …), not a failure to reach it. */
const isRefusal = (err: unknown) => typeof (err as { error?: unknown })?.error === "string";

export function createSessionPrincipals(deps: {
  store: SessionStore;
  directory: Directory;
  clock: Clock;
  audit: AuditLog;
  log: Logger;
  /** security.sso.idleTimeout, in ms. */
  idleTimeout: number;
}): SessionPrincipals {
  const { store, clock } = deps;

  /** The session of `id`; undefined (and ended, with why in the audit) when its tokens no longer open. */
  async function read(id: string, now: number): Promise<SsoSession | undefined> {
    try {
      return await store.get(id, now, now - deps.idleTimeout);
    } catch (err) {
      if (!(err instanceof TokenKeyError)) throw err;
      const ended = await store.end(id);
      deps.log.warn(
        { err: err.message, subject: ended?.subject },
        "a session's tokens do not open with security.sso.tokenKey: it ends, the person signs in again",
      );
      if (ended)
        deps.audit.record({
          actor: { kind: "sso", name: ssoActorName(ended) },
          action: "sso.session.end",
          result: "ok",
          details: { reason: `its tokens do not open: ${err.message}` },
        });
      return undefined;
    }
  }

  /** Refreshes a due session; false when the directory refused and the session ended. */
  async function refreshDue(id: string, s: SsoSession, now: number): Promise<boolean> {
    if (!s.refreshToken || s.refreshDue === undefined || s.refreshDue > now) return true;
    if (!(await store.claimRefresh(id, s.refreshDue, now + REFRESH_CLAIM_MS))) return true;
    try {
      const t = await deps.directory.refresh(s.refreshToken);
      await store.refreshed(id, t.refreshToken ?? s.refreshToken, t.expiresIn !== undefined ? now + t.expiresIn * 1000 : null);
      return true;
    } catch (err) {
      if (!isRefusal(err)) {
        deps.log.warn(
          { err: describe(err), subject: s.subject },
          "the directory could not be reached to refresh a session; it goes on, asked again in a minute",
        );
        return true;
      }
      await store.end(id);
      deps.audit.record({
        actor: { kind: "sso", name: ssoActorName(s) },
        action: "sso.session.end",
        result: "ok",
        details: { reason: `the directory refused to refresh the session: ${describe(err)}` },
      });
      return false;
    }
  }

  return {
    async principal(id) {
      const now = clock.now();
      const s = await read(id, now);
      if (!s || !(await refreshDue(id, s, now))) return undefined;
      if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await store.touch(id, now);
      return { kind: "sso", name: ssoActorName(s), scopes: s.scopes, session: s };
    },
  };
}
