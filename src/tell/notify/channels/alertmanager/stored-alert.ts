// What an alertmanager channel remembers of each alert it posted and has not ended, one channel-state row per alert:
// the re-sender (resender.ts) posts them again while open, and a closing notification ends them (end-alert.ts).
import type { PostableAlert, StewardAlert } from "./alert";

/** Channel-state keys of the alerts still open. */
export const OPEN_PREFIX = "alert:";

/** What the channel remembers of an open alert: what it last posted, and what the re-sender asks about. */
export interface StoredAlert {
  alert: PostableAlert;
  ref: StewardAlert["ref"];
  /** The test-mode target it was posted to instead of urls. */
  target?: string;
  /** Its end is being posted (`alert` is that end): whoever finds this posts it again and forgets it (end-alert.ts). */
  ending?: boolean;
  /**
   * Alertmanager took the end a closing notification wrote down: kept until the re-sender's next pass, so that a
   * re-send that crossed it ends the alert again with the same words (who resolved it, how it recovered).
   */
  ended?: boolean;
}

export function parseStoredAlert(value: string): StoredAlert | undefined {
  try {
    const v = JSON.parse(value) as StoredAlert;
    return v && typeof v.alert === "object" && typeof v.alert.labels === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}
