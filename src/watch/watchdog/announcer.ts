// Announces each watchdog condition exactly once: the decision is stored first, the event handed to the notifier
// (whose outbox ignores an event id it already has), then marked announced, so a crash in between repeats nothing.
import type { Counter } from "../../platform/core/metrics";
import type { WatchCondition, WatchdogEvent } from "../../platform/events/types";
import type { WatchStore } from "./watch-store";

export interface OpeningCondition {
  key: string;
  type: WatchCondition;
  taskId?: string;
  appId?: string;
  openedMs: number;
  event: WatchdogEvent;
}

export interface Announcer {
  /** Stores the condition as open and, if it was not open yet, announces it. */
  open(c: OpeningCondition): Promise<void>;
  /**
   * Stores the condition as closed and, if it was open, announces that; a notice's end is stored, not announced
   * (no task.on_track follows a task.notice: nobody was paged).
   */
  close(key: string, closedMs: number, event: WatchdogEvent, opts?: { notice?: boolean }): Promise<void>;
  /** Decisions stored but not announced (a crash, or the notifier refused): announced now, same event ids. */
  announcePending(): Promise<void>;
}

/** A condition opened as a notice (task.notice): its end is not announced. */
export const isNotice = (openEvent: WatchdogEvent) => openEvent.kind === "task.notice";

/** `people`: what an event's words become before it is stored and sent (the site's zone, site-zone.ts). */
export function createAnnouncer(
  store: WatchStore,
  emit: (e: WatchdogEvent) => Promise<void>,
  raised: Counter,
  people: (e: WatchdogEvent) => WatchdogEvent = (e) => e,
): Announcer {
  async function announce(key: string, event: WatchdogEvent, phase: "open" | "close"): Promise<void> {
    await emit(event);
    raised.inc({ kind: event.kind });
    if (phase === "open") await store.markOpenAnnounced(key);
    else await store.markCloseAnnounced(key);
  }
  return {
    async open(c) {
      const { event: raw, ...row } = c;
      const event = people(raw);
      if (await store.open({ ...row, openEvent: event })) await announce(c.key, event, "open");
    },
    async close(key, closedMs, raw, opts) {
      const event = people(raw);
      if (!(await store.close(key, closedMs, event))) return;
      if (opts?.notice) await store.markCloseAnnounced(key);
      else await announce(key, event, "close");
    },
    async announcePending() {
      for (const c of await store.unannounced()) {
        if (!c.openAnnounced) await announce(c.key, c.openEvent, "open");
        if (c.closedMs === undefined || c.closeAnnounced || !c.closeEvent) continue;
        if (isNotice(c.openEvent)) await store.markCloseAnnounced(c.key);
        else await announce(c.key, c.closeEvent, "close");
      }
    },
  };
}
