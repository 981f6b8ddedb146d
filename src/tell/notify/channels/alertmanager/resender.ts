// Keeps Steward's alerts firing in Alertmanager: every resendEvery it posts each alert an alertmanager channel
// remembers as open again (Alertmanager resolves an alert not heard of for resolve_timeout), and ends those whose
// incident or cause it found closed a pass ago too, even when no route took the closing event to the channel, as well
// as an end a Steward left half done (killed, or its store or Alertmanager away). The open alerts
// live in the shared store's channel state, so after a restart or a failover the next holder of the duty goes on.
import type { Logger } from "pino";
import type { Component } from "../../../../platform/core/lifecycle";
import { type Clock, every } from "../../../../platform/core/clock";
import { createHttpClient } from "../../../../platform/http/http-client";
import type { SqlDb } from "../../../../platform/store/sql";
import { type ChannelState, createChannelState } from "../../channel-state";
import type { ChannelConfig } from "../../config";
import type { ChannelHealth } from "../../channel-health";
import type { PostableAlert } from "./alert";
import { OPEN_PREFIX, parseStoredAlert, type StoredAlert } from "./stored-alert";
import { endStoredAlert } from "./end-alert";
import { createAlertPoster, type AlertPoster } from "./post";
import type { AlertmanagerChannelConfig } from "./schema";

/** Whether an incident or cause is still open; undefined when Steward cannot tell (then the alert is re-sent). */
export type OpenCheck = (ref: StoredAlert["ref"]) => Promise<boolean | undefined>;

export interface AlertResenderDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  baseDir: string;
  /** The channels of the config in force (a reload may add or drop one). */
  channels(): Record<string, ChannelConfig>;
  isOpen: OpenCheck;
  /** Where a channel's failing deliveries are said; a failing re-send is said there too. */
  health?: ChannelHealth;
}

/** How often to look when no alertmanager channel is configured (one may come with a config reload). */
const IDLE_MS = 30_000;
/** Alerts per request: Alertmanager takes a list, but a huge body of one outage is better split. */
const BATCH = 200;

const alertmanagerChannels = (all: Record<string, ChannelConfig>) =>
  Object.entries(all).filter((e): e is [string, AlertmanagerChannelConfig] => e[1].type === "alertmanager" && e[1].enabled);

export function createAlertResender(deps: AlertResenderDeps): Component {
  const log = deps.log.child({ module: "alertmanager-resend" });
  const lastPass = new Map<string, number>();
  /** Per channel, the alerts the last pass found closed but not yet ended (their closing notification may still come). */
  const foundClosed = new Map<string, Set<string>>();
  let stopTimer: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  let abort = new AbortController();

  /** Until the next channel is due, at most IDLE_MS. */
  const nextInMs = () => {
    const now = deps.clock.now();
    const due = alertmanagerChannels(deps.channels()).map(([name, cfg]) => (lastPass.get(name) ?? now) + cfg.resendEvery - now);
    return Math.max(250, Math.min(IDLE_MS, ...due));
  };

  async function pass(force: boolean): Promise<void> {
    for (const [name, cfg] of alertmanagerChannels(deps.channels())) {
      const now = deps.clock.now();
      const last = lastPass.get(name);
      if (!force && last !== undefined && now - last < cfg.resendEvery) continue;
      lastPass.set(name, now);
      const client = createHttpClient({ baseDir: deps.baseDir, rejectUnauthorized: cfg.rejectUnauthorized, ...(cfg.ca ? { ca: cfg.ca } : {}) });
      try {
        const post = createAlertPoster(cfg, client, log.child({ channel: name }));
        const signal = () => AbortSignal.any([abort.signal, AbortSignal.timeout(cfg.timeout)]);
        const posted = await resendChannel(
          name,
          createChannelState(deps.db, name, () => deps.clock.now()),
          post,
          signal,
        );
        if (posted > 0) deps.health?.delivered(name, deps.clock.now());
      } catch (err) {
        const message = (err as Error).message;
        log.warn({ channel: name, err: message }, "re-sending the open alerts failed; tried again at the next pass");
        // Said where a failing delivery is said (/ready, the degraded watch): Alertmanager resolves what it stops hearing of.
        deps.health?.failed(name, `re-sending the open alerts: ${message}`, deps.clock.now());
      } finally {
        client.close();
      }
    }
  }

  /** Returns how many alerts it posted. */
  async function resendChannel(name: string, state: ChannelState, post: AlertPoster, signal: () => AbortSignal): Promise<number> {
    let posted = 0;
    const firing = new Map<string | undefined, Array<{ key: string; alert: PostableAlert }>>();
    const closedBefore = foundClosed.get(name) ?? new Set<string>();
    const closedNow = new Set<string>();
    foundClosed.set(name, closedNow);
    for (const { key, value } of await state.entries(OPEN_PREFIX)) {
      const stored = parseStoredAlert(value);
      if (!stored) {
        log.warn({ channel: name, key }, "an unreadable open alert was dropped");
        await state.take(key);
        continue;
      }
      // Ended by its closing notification at least a pass ago: no re-send can cross that end any more.
      if (stored.ended) {
        await state.takeIf(key, value);
        continue;
      }
      // An end left half done (its Steward killed, the store or Alertmanager away) is finished here.
      const open = stored.ending ? false : await deps.isOpen(stored.ref);
      if (open === false && !stored.ending && !closedBefore.has(key)) {
        // Found closed before its closing notification came: that notification is given a pass to end it with its
        // own words (who resolved it, how it recovered); neither re-sent nor ended now.
        closedNow.add(key);
        continue;
      }
      if (open === false) {
        if ((await endStoredAlert(state, key, post, signal(), endOf, "forget")) === "gone") continue;
        posted++;
        log.info({ channel: name, alert: key }, "its incident closed: the alert ended in Alertmanager");
        continue;
      }
      const list = firing.get(stored.target) ?? [];
      list.push({ key, alert: stored.alert });
      firing.set(stored.target, list);
    }
    for (const [target, list] of firing) {
      for (let i = 0; i < list.length; i += BATCH) {
        const batch = list.slice(i, i + BATCH);
        await post(
          batch.map((b) => b.alert),
          signal(),
          target,
        );
        posted += batch.length;
        for (const b of batch) await endIfCrossed(state, b.key, b.alert, post, signal(), target);
      }
    }
    if (firing.size > 0) log.debug({ channel: name, alerts: posted }, "open alerts re-sent");
    return posted;
  }

  /**
   * A closing notification that ended an alert while its re-send was on its way is undone by that re-send
   * (Alertmanager keeps the last it heard): the end is posted again, the one the notification wrote down if it is there.
   */
  async function endIfCrossed(state: ChannelState, key: string, sent: PostableAlert, post: AlertPoster, signal: AbortSignal, target?: string) {
    const raw = await state.get(key);
    const now = raw === undefined ? undefined : parseStoredAlert(raw);
    if (raw === undefined) await post([ended(sent)], signal, target);
    else if (now?.ended) await post([now.alert], signal, now.target);
    else if (now?.ending) await endStoredAlert(state, key, post, signal, endOf, "forget");
  }

  const ended = (a: PostableAlert): PostableAlert => ({ ...a, endsAt: new Date(deps.clock.now()).toISOString() });
  /** The end to post: the one written down when it is already being ended, else the alert as last posted, ended now. */
  const endOf = (s: StoredAlert): PostableAlert => (s.ending ? s.alert : ended(s.alert));

  const run = (force: boolean) => {
    running = running.then(() => pass(force)).catch((err: Error) => log.error({ err: err.message }, "re-send pass failed"));
    return running;
  };

  return {
    name: "alertmanager re-send",
    start() {
      abort = new AbortController();
      // At once: after a restart or a failover the alerts may be close to Alertmanager's resolve_timeout.
      void run(true);
      stopTimer = every(deps.clock, nextInMs, () => run(false));
    },
    async stop() {
      stopTimer?.();
      stopTimer = undefined;
      abort.abort();
      await running;
    },
  };
}
