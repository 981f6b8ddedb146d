// Maintenance windows at run time: every few seconds (on every Steward) the active occurrences are recorded and the
// ended ones summed up in one maintenance.summary event; the gate holds back alerts inside them; the dashboard's
// banner and GET /v4/maintenance read what is active and what comes next.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createSerialTicker } from "../../platform/core/serial-ticker";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { SiteEvent } from "../../platform/events/types";
import type { MaintenanceStore } from "./maintenance-store";
import { buildSummary } from "./summary";
import type { CompiledWindow, Occurrence } from "./windows";

export const TICK_MS = 5_000;
const PURGE_EVERY_MS = 3_600_000;

export interface MaintenanceServiceDeps {
  store: MaintenanceStore;
  windows: readonly CompiledWindow[];
  clock: Clock;
  log: Logger;
  /** Publishes the summary (bus.emit); resolves once the notifier has written it to the outbox. */
  emit(e: SiteEvent): Promise<void>;
  /** The Qlik Sense host named on summaries. */
  host: string;
  /** How long summarized occurrences stay in the store (notify.outbox.keep). */
  keepMs: number;
  /** The pages of causes the windows held: sent after each pass if still open (cause-release.ts), purged with the rest. */
  causes?: { release(now: number): Promise<unknown>; purge(before: number): Promise<void> };
}

export interface MaintenanceService {
  component: Component;
  active(now?: number): Occurrence[];
  upcoming(now?: number): Occurrence[];
  /** One pass: record active occurrences, send the summaries of ended ones. */
  tick(): Promise<void>;
}

export function createMaintenanceService(d: MaintenanceServiceDeps): MaintenanceService {
  let lastPurge = 0;
  const active = (now = d.clock.now()) => d.windows.map((w) => w.activeAt(now)).filter((o) => o !== undefined);
  const byName = new Map(d.windows.map((w) => [w.config.name, w]));

  async function once(): Promise<void> {
    const now = d.clock.now();
    // Recorded while active, so a window nothing happened in still gets its summary, after a restart too.
    for (const o of active(now)) await d.store.seen(o);
    for (const o of await d.store.due(now)) {
      const w = byName.get(o.window)?.config;
      const events = await d.store.events(o.window, o.startsAt);
      const summary = buildSummary(o, events, { host: d.host, timeZone: w?.timeZone ?? "UTC", ...(w?.reason ? { reason: w.reason } : {}), now });
      await d.emit(summary);
      await d.store.markSummarized(o.window, o.startsAt, now);
      d.log.info({ window: o.window, events: events.length, held: summary.data.held }, "maintenance window ended: summary sent");
    }
    await d.causes?.release(now);
    if (now - lastPurge >= PURGE_EVERY_MS) {
      lastPurge = now;
      await d.store.purge(now - d.keepMs);
      await d.causes?.purge(now - d.keepMs);
    }
  }

  const ticker = createSerialTicker(d.clock, TICK_MS, once, (err) =>
    d.log.warn({ err: describeError(err) }, "maintenance windows: could not record or sum up; trying again"),
  );
  const tick = ticker.run;

  return {
    active,
    upcoming: (now = d.clock.now()) => d.windows.map((w) => w.nextAfter(now)).filter((o) => o !== undefined),
    tick,
    component: {
      name: "maintenance",
      async start() {
        ticker.resume();
        await tick().catch((err) => d.log.warn({ err: describeError(err) }, "maintenance windows: first pass failed; trying again"));
        ticker.arm();
      },
      stop: () => ticker.stop(),
    },
  };
}
