// Moves what each on-call product (PagerDuty, Opsgenie / JSM) was told toward its incident's state (issue 84): an
// alert open there whose incident or cause has ended is resolved; one whose incident was acknowledged in Steward, and
// that the product was not told so, is acknowledged. What a product was told lives in the channel's durable state
// (open-alerts.ts: the open mark after a trigger was accepted, the acknowledged mark after an acknowledge was), so
// whatever order events came in, on whichever member, after a crash, a failover or a store outage, the sweep finds
// the difference and queues the missing step. The step is an outbox row in the alert's thread, keyed as the
// acknowledgement path keys it, so it goes after the trigger it follows and a repair is queued once, by any member.
// A condition's incident (a missed start, a freshness promise…) pages under its condition's key: its truth is found
// through the event that opened the alert (conditionOf). Alertmanager's alerts have their own re-sender (channels/alertmanager/resender.ts), which ends closed ones alike.
import type { Logger } from "pino";
import { type Clock, every } from "../../../platform/core/clock";
import { describeError } from "../../../platform/core/errors";
import type { Component } from "../../../platform/core/lifecycle";
import type { SqlDb } from "../../../platform/store/sql";
import { createChannelState } from "../channel-state";
import { CHANNELS } from "../channels/registry";
import type { ChannelConfig } from "../config";
import type { AcknowledgeRequest } from "./acknowledge";
import { parseAlertKey } from "./alert";
import { alertAcknowledged, OPEN_ALERT_PREFIX, openAlertEvent } from "./open-alerts";
import type { OutboxStore } from "../outbox-store";
import { threadOf } from "../thread";
import { repairSignl4, type Signl4RepairDeps } from "./converge-signl4";

import { type AlertRef, type AlertTruths, truthKey } from "./alert-truth";
import type { DomainEvent } from "../../../platform/events/types";

export { type AlertRef, type AlertTruth, type AlertTruths, truthKey } from "./alert-truth";

export interface AlertConvergerDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  /** The channels of the config in force. */
  channels(): Record<string, ChannelConfig>;
  truths: AlertTruths;
  /**
   * The condition's incident an alert keyed by its condition is (steward-watch-…, steward-check-…, steward-service-…),
   * read from the event that opened it: a missed start, a freshness promise, a check-in… (tell/incidents/condition-incidents.ts).
   * Undefined for an event that opens no incident: such an alert is left as it is.
   */
  conditionOf?(opener: DomainEvent): AlertRef | undefined;
  /** The outbox: a step still waiting in an alert's thread (its recovery, say) is let go before the sweep adds one. */
  outbox: Pick<OutboxStore, "getEvent" | "waitingInThread" | "insert">;
  /** Queues the acknowledge or resolve (the notifier's acknowledged(): outbox rows, keyed once per alert). */
  repair(req: AcknowledgeRequest): Promise<number>;
  /**
   * Why alert `key` stays open on `channel` though its incident or cause ended: an action on it has not ended, or its
   * outcome is not told there yet (the notifier's hooks, start/remediation/alert-holds.ts). The closing message's delivery asked the same
   * (on-call/held-open.ts); the alert is resolved by the sweep once nothing holds it and its outcome's delivery went.
   */
  held?(key: string, channel: string): Promise<string | undefined>;
  /** How often the whole sweep runs (default SWEEP_MS). */
  everyMs?: number;
  /** SIGNL4's incidents are resolved when their Steward incident or cause ended (converge-signl4.ts); unset: not swept. */
  signl4?: Omit<Signl4RepairDeps, "truths" | "outbox" | "stepWaiting">;
  /** Wakes the outbox worker after rows were queued (the notifier's wake()). */
  wake?: () => void;
}

export const SWEEP_MS = 5_000;
/**
 * How long after an incident ended the sweep leaves its alerts to the event that ended it. Between the close in the
 * store and that event's deliveries in the outbox (the recovery, a resolve by hand's follow-up) a sweep could find the
 * incident over with nothing on its way, queue its own resolve, and the recovery (with what recovered) would follow
 * only to find nothing left to end. The sweep's own case, a Steward that died in between, is ended a sweep later.
 */
export const CLOSE_GRACE_MS = SWEEP_MS;
/** With no channel to converge, the sweep only looks every 15 minutes whether a reload added one (a timer every 5 s cost an idle Steward 720 an hour). */
const NO_CHANNEL_LOOK_MS = 15 * 60_000;

export interface AlertConverger {
  /** Repairs every on-call channel's open alerts now; returns how many steps it queued. */
  sweep(): Promise<number>;
  /** Repairs one alert a channel just opened (its incident may have been acknowledged or ended meanwhile). */
  opened(channel: string, key: string): void;
  readonly component: Component;
}

const onCallChannels = (all: Record<string, ChannelConfig>) =>
  Object.entries(all).filter(([, ch]) => ch.enabled && CHANNELS[ch.type].followsAcknowledgements === true);

export function createAlertConverger(deps: AlertConvergerDeps): AlertConverger {
  const log = deps.log.child({ module: "alert-converge" });
  let stopTimer: (() => void) | undefined;
  let running: Promise<unknown> = Promise.resolve();

  /**
   * Whether a delivery after the one that opened the alert (`eventId`) is still waiting or on its way in the alert's
   * thread to `channel`: the task's recovery, a cause's update. The sweep leaves such an alert alone this time: that
   * step may end it, and a repair queued now would only follow it to find nothing left to do (a resolve "suppressed"
   * beside every quick recovery). If it does not end it, the next sweep repairs it.
   */
  async function stepWaiting(channel: string, eventId: string): Promise<boolean> {
    const event = await deps.outbox.getEvent(eventId);
    const thread = event ? threadOf(event) : null;
    if (thread === null) return false;
    return (await deps.outbox.waitingInThread(channel, thread, "")).some((id) => id !== eventId);
  }

  /**
   * The truths the sweep may act on: an incident ended less than CLOSE_GRACE_MS ago, whose ending event the outbox does
   * not hold yet, is left out (as one Steward cannot tell), for that event to end its alerts.
   */
  const settledTruths: AlertTruths = async (refs) => {
    const truths = await deps.truths(refs);
    const now = deps.clock.now();
    for (const [key, t] of truths) {
      const by = t.ended?.byEvent;
      if (t.open || by === undefined || now - t.ended!.at >= CLOSE_GRACE_MS) continue;
      if ((await deps.outbox.getEvent(by)) === undefined) truths.delete(key);
    }
    return truths;
  };

  /** A condition's alert: the incident of the condition whose event opened it (its open mark names that event). */
  async function conditionRef(state: ReturnType<typeof createChannelState>, key: string): Promise<AlertRef | undefined> {
    if (!deps.conditionOf) return undefined;
    const opener = await openAlertEvent(state, key);
    const event = opener === undefined ? undefined : await deps.outbox.getEvent(opener);
    return event ? deps.conditionOf(event) : undefined;
  }

  /** The steps one channel's alerts (`keys`: alert keys open there) miss; queued in key order. */
  async function repairChannel(name: string, keys: readonly string[]): Promise<number> {
    const state = createChannelState(deps.db, name, () => deps.clock.now());
    const refs: Array<{ key: string; ref: AlertRef }> = [];
    for (const key of keys) {
      const ref = parseAlertKey(key) ?? (await conditionRef(state, key));
      if (ref) refs.push({ key, ref });
    }
    if (refs.length === 0) return 0;
    const truths = await settledTruths(refs.map((r) => r.ref));
    let queued = 0;
    for (const { key, ref } of refs) {
      const t = truths.get(truthKey(ref));
      if (!t) continue;
      const alerts = [{ key, thread: "" }];
      const opener = await openAlertEvent(state, key);
      if (opener !== undefined && (await stepWaiting(name, opener))) continue;
      if (!t.open) {
        const held = await deps.held?.(key, name);
        if (held !== undefined) {
          log.debug({ channel: name, alert: key, held }, "its incident ended, an action holds the alert open");
          continue;
        }
        const n = await deps.repair({ alerts, by: "Steward (the incident ended)", resolve: true, only: name });
        if (n > 0) log.info({ channel: name, alert: key }, "its incident ended: the alert is resolved");
        queued += n;
      } else if (t.acknowledgedBy !== undefined && !(await alertAcknowledged(state, key))) {
        const n = await deps.repair({ alerts, by: t.acknowledgedBy, only: name });
        if (n > 0) log.info({ channel: name, alert: key }, "acknowledged in Steward before the alert was open: the acknowledgement follows it");
        queued += n;
      }
    }
    return queued;
  }

  async function sweep(): Promise<number> {
    let queued = 0;
    for (const [name] of onCallChannels(deps.channels())) {
      const state = createChannelState(deps.db, name, () => deps.clock.now());
      const keys = (await state.entries(OPEN_ALERT_PREFIX)).map((e) => e.key.slice(OPEN_ALERT_PREFIX.length));
      queued += await repairChannel(name, keys);
    }
    if (deps.signl4) {
      const signl4 = {
        ...deps.signl4,
        outbox: deps.outbox,
        truths: settledTruths,
        stepWaiting,
        ...(deps.conditionOf ? { conditionOf: deps.conditionOf } : {}),
      };
      for (const [name, ch] of Object.entries(deps.channels())) {
        if (ch.type !== "signl4" || !ch.enabled || ch.resolve === false) continue;
        const n = await repairSignl4(
          name,
          createChannelState(deps.db, name, () => deps.clock.now()),
          signl4,
        );
        if (n > 0) log.info({ channel: name, incidents: n }, "their incidents ended: the SIGNL4 incidents are resolved");
        queued += n;
      }
      if (queued > 0) deps.wake?.();
    }
    return queued;
  }

  /** Any channel whose alerts the sweep compares: an on-call product that follows acknowledgements, or SIGNL4's resolves. */
  const hasChannels = () =>
    onCallChannels(deps.channels()).length > 0 ||
    (deps.signl4 !== undefined && Object.values(deps.channels()).some((ch) => ch.type === "signl4" && ch.enabled && ch.resolve !== false));

  const run = (what: () => Promise<unknown>) => {
    running = running
      .then(what)
      .catch((err: unknown) => log.warn({ err: describeError(err) }, "could not compare the on-call alerts with their incidents; tried again"));
    return running;
  };

  return {
    sweep: async () => {
      let n = 0;
      await run(async () => (n = await sweep()));
      return n;
    },
    opened(channel, key) {
      void run(() => repairChannel(channel, [key]));
    },
    component: {
      name: "on-call alert convergence",
      start() {
        // At once: after a restart or a failover, what changed while no member swept is repaired first.
        void run(sweep);
        stopTimer = every(
          deps.clock,
          () => (hasChannels() ? (deps.everyMs ?? SWEEP_MS) : NO_CHANNEL_LOOK_MS),
          () => run(sweep),
        );
      },
      async stop() {
        stopTimer?.();
        stopTimer = undefined;
        await running;
      },
    },
  };
}
