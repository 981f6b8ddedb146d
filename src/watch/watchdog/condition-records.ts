// What a store of conditions keeps so that each is announced exactly once (see announcer.ts): the watchdog's
// conditions and the check-ins' are stored alike, each row with what opened and closed it and whether each was
// handed to the notifier.
import type { WatchdogEvent } from "../../platform/events/types";

/** A condition as stored. */
export interface StoredCondition {
  key: string;
  type: string;
  openedMs: number;
  openEvent: WatchdogEvent;
  openAnnounced: boolean;
  closedMs?: number;
  closeEvent?: WatchdogEvent;
  closeAnnounced: boolean;
}

/** `Row`: a stored condition with what the store adds to it; `Opening`: what opening one takes besides its key and times. */
export interface ConditionRecords<Row extends StoredCondition, Opening> {
  /** Opens a condition unless one with the key is open; true when this call opened it. */
  open(row: Opening & { key: string; type: string; openedMs: number; openEvent: WatchdogEvent }): Promise<boolean>;
  markOpenAnnounced(key: string): Promise<void>;
  close(key: string, closedMs: number, closeEvent: WatchdogEvent): Promise<boolean>;
  markCloseAnnounced(key: string): Promise<void>;
  openConditions(): Promise<Row[]>;
  /** Conditions whose alert or follow-up was decided but not yet handed to the notifier (a crash in between). */
  unannounced(): Promise<Row[]>;
  recentlyClosed(sinceMs: number): Promise<Row[]>;
  getMeta(key: string): Promise<string | undefined>;
}
