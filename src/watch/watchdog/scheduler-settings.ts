// Each node's Scheduler settings as QRS serves them: GET /qrs/schedulerservice/full, one SchedulerService per node
// (its serverNodeConfiguration) with `settings.maxConcurrentEngines` (the QMC's Schedulers → Advanced → "Max
// concurrent reloads") and `settings.engineTimeout` (minutes a run may wait in the queue; 0: no limit), as Qlik's
// Repository API reference (SchedulerServiceSettings) and qlik-cli's Update-QlikScheduler name them. The 2015
// reference (Sense 1.0) showed the two numbers beside `settings` instead of in it: both places are read. A Qlik
// that refuses or lacks the call leaves the limits unknown (the queue is still watched); read once an hour.
import type { Logger } from "pino";
import { z } from "zod";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { describeError } from "../../platform/core/errors";

export interface NodeScheduler {
  /** QMC: Max concurrent reloads. */
  maxConcurrentEngines?: number;
  /** The queue's timeout in minutes (0: runs wait as long as it takes). */
  engineTimeoutMinutes?: number;
}

const Limits = z.lazy(() => z.looseObject({ maxConcurrentEngines: z.number().int().min(0).nullish(), engineTimeout: z.number().int().min(0).nullish() }));
const Row = z.lazy(() =>
  z.looseObject({
    serverNodeConfiguration: z.looseObject({ name: z.string().nullish(), hostName: z.string().nullish() }).nullish(),
    settings: Limits.nullish(),
    maxConcurrentEngines: z.number().int().min(0).nullish(),
    engineTimeout: z.number().int().min(0).nullish(),
  }),
);
const Rows = z.lazy(() => z.array(z.unknown()).max(10_000));

/** A node as a key: QRS's host name (executingNodeName), lower case; its first label matches too. */
export const nodeKey = (name: string) => name.trim().toLowerCase();
const shortOf = (key: string) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(key) ? key : (key.split(".")[0] ?? key));

export interface SchedulerSettings {
  /** Read again when the last read is older than `everyMs` (or never was), or now with `force` (a page names the limits). */
  refresh(qrs: Pick<QrsClient, "getJson">, now: number, force?: boolean): Promise<void>;
  of(node: string): NodeScheduler;
}

const UNREAD = "watchdog: each node's Scheduler settings (GET /qrs/schedulerservice/full) could not be read; the queue is watched without its limits";

/** `unread`: what the log says, once, when QRS does not answer the settings (each reader says what it does without them). */
export function createSchedulerSettings(log: Logger, everyMs: number, unread = UNREAD): SchedulerSettings {
  let byNode = new Map<string, NodeScheduler>();
  let readAt = Number.NEGATIVE_INFINITY;
  let warned = false;
  return {
    async refresh(qrs, now, force = false) {
      if (!force && now - readAt < everyMs) return;
      readAt = now;
      try {
        const rows = await qrs.getJson("schedulerservice/full", Rows);
        const next = new Map<string, NodeScheduler>();
        for (const raw of rows) {
          const r = Row.safeParse(raw);
          if (!r.success) continue;
          const max = r.data.settings?.maxConcurrentEngines ?? r.data.maxConcurrentEngines ?? undefined;
          const timeout = r.data.settings?.engineTimeout ?? r.data.engineTimeout ?? undefined;
          const limits: NodeScheduler = { ...(max ? { maxConcurrentEngines: max } : {}), ...(timeout !== undefined ? { engineTimeoutMinutes: timeout } : {}) };
          for (const name of [r.data.serverNodeConfiguration?.hostName, r.data.serverNodeConfiguration?.name])
            if (name) {
              next.set(nodeKey(name), limits);
              if (!next.has(shortOf(nodeKey(name)))) next.set(shortOf(nodeKey(name)), limits);
            }
        }
        byNode = next;
        warned = false;
      } catch (err) {
        // Not every Qlik lets this account read it: the queue is watched all the same, without naming the limits.
        if (!warned) log.warn({ err: describeError(err) }, unread);
        warned = true;
      }
    },
    of(node) {
      const key = nodeKey(node);
      return byNode.get(key) ?? byNode.get(shortOf(key)) ?? {};
    },
  };
}
