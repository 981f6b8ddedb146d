// Whether QRS knows a user a datagram or an Engine line named (issue 86): the name a page shows is QRS's, or the
// text as sent marked unverified. Qlik's INTERNAL accounts are checked like any other (QRS lists sa_scheduler and the
// other service accounts). Answers are kept a while, and concurrent checks of one name share a read, so a burst of
// runs by the Scheduler's account costs one QRS read.
import type { Clock } from "../../platform/core/clock";
import { unverifiedText } from "../../platform/events/unverified-text";
import { and, eqString } from "../../platform/qlik/qrs-filter";
import type { QrsClient } from "../../platform/qlik/qrs-client";

export type UserAnswer = { known: true; user: string; name?: string } | { known: false } | undefined;

export interface UserCheck {
  /** `DIRECTORY\userid` as QRS spells it (and the person's name) when QRS lists it; known: false when it does not; undefined when QRS cannot say or the text is no such name. */
  check(user: string): Promise<UserAnswer>;
}

const KNOWN_TTL_MS = 10 * 60_000;
const UNKNOWN_TTL_MS = 60_000;
const MAX_ENTRIES = 2_000;

export function createUserCheck(qrs: QrsClient, clock: Clock, timeoutMs: number): UserCheck {
  const cache = new Map<string, { at: number; answer: UserAnswer; pending?: Promise<UserAnswer> }>();

  async function read(user: string): Promise<UserAnswer> {
    const at = user.indexOf("\\");
    if (at <= 0 || at === user.length - 1) return { known: false };
    try {
      const rows = await qrs.listUsersFull(and(eqString("userDirectory", user.slice(0, at)), eqString("userId", user.slice(at + 1))), {
        timeoutMs,
        retries: 1,
      });
      const row = rows[0];
      return row ? { known: true, user: `${row.userDirectory}\\${row.userId}`, ...(row.name ? { name: row.name } : {}) } : { known: false };
    } catch {
      return undefined;
    }
  }

  return {
    check(user) {
      const key = user.toLowerCase();
      const now = clock.now();
      const hit = cache.get(key);
      if (hit?.pending) return hit.pending;
      if (hit?.answer && now - hit.at < (hit.answer.known ? KNOWN_TTL_MS : UNKNOWN_TTL_MS)) return Promise.resolve(hit.answer);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      const pending = read(user).then((answer) => {
        // QRS unreachable: asked again next time.
        if (answer) cache.set(key, { at: clock.now(), answer });
        else cache.delete(key);
        return answer;
      });
      cache.set(key, { at: now, answer: undefined, pending });
      return pending;
    },
  };
}

/** What a page shows for `user`: QRS's spelling when it knows the user, else the text as sent, marked unverified. */
export function shownUser(user: string, answer: UserAnswer): string {
  if (!user) return "";
  return answer?.known ? answer.user : unverifiedText(user);
}
