// Ends one remembered alert so that a Steward killed half way leaves nothing open: the alert is first marked as
// ending in the channel's state (the end it is about to post written down), then posted, then forgotten (or, for a
// closing notification, kept as ended until the re-sender's next pass). Whoever finds a mark left behind (the outbox
// retrying the closing notification, the re-sender on any node) posts that end again; Alertmanager takes the same
// end twice without harm. Changing only the mark it wrote keeps an alert a newer notification opened again meanwhile.
import type { ChannelState } from "../../channel-state";
import type { PostableAlert } from "./alert";
import { parseStoredAlert, type StoredAlert } from "./stored-alert";
import type { AlertPoster } from "./post";

/** Tries when the stored alert keeps changing under it (an update, a re-sender's mark) before giving up this turn. */
const TRIES = 3;

/** After the post: forget the alert (the re-sender), or keep it as ended until the re-sender's next pass (a closing notification). */
export type AfterEnd = "forget" | "keep-ended";

/**
 * "ended" once Alertmanager took the end; "gone" when the channel remembers no such alert, or remembers it ended
 * (by someone else, or never opened). A failed post throws and leaves the mark, so the end is posted again later.
 */
export async function endStoredAlert(
  state: ChannelState,
  key: string,
  post: AlertPoster,
  signal: AbortSignal,
  endOf: (stored: StoredAlert) => PostableAlert,
  after: AfterEnd,
): Promise<"ended" | "gone"> {
  for (let i = 0; i < TRIES; i++) {
    const raw = await state.get(key);
    const stored = raw === undefined ? undefined : parseStoredAlert(raw);
    if (raw === undefined || !stored || stored.ended) return "gone";
    const marked: StoredAlert = { ...stored, alert: endOf(stored), ending: true };
    const mark = JSON.stringify(marked);
    if (mark !== raw && !(await state.replace(key, raw, mark))) continue;
    await post([marked.alert], signal, marked.target);
    if (after === "forget") await state.takeIf(key, mark);
    else await state.replace(key, mark, JSON.stringify({ ...marked, ending: undefined, ended: true } satisfies StoredAlert));
    return "ended";
  }
  throw new Error(`the Alertmanager alert ${key} changed ${TRIES} times while it was being ended; it is ended at the next try`);
}
