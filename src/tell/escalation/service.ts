// Escalation timers: armed when a route with `escalate` queues an alert of an open incident or the page of an open
// cause (whatever its kind: a node down, a queue backed up, a missed check-in), fired on the injected Clock when due.
// Firing claims the timer in the store (one Steward of a cluster acts), then stops it if the incident or cause was
// acknowledged or recovered meanwhile, waits while a maintenance window or a silence keeps the incident quiet, or
// else sends the alert on the next route (which may escalate further).
import type { Logger } from "pino";
import type { RouteConfig } from "../notify/config";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import { type PollInterval, pollMsOf } from "../../platform/core/poll-interval";
import type { Component } from "../../platform/core/lifecycle";
import { isTaskEvent, type DomainEvent } from "../../platform/events/types";
import type { IncidentRow } from "../incidents";
import { type QuietSpell, wouldSend } from "../notify/gate";
import type { Plan } from "../notify/planner";
import { matchRoute, nameRoutes } from "../notify/routing";
import { timeFilterReason } from "../../platform/core/time-intervals";
import type { EscalationRow, EscalationStore } from "./escalation-store";

export interface EscalationDeps {
  store: EscalationStore;
  clock: Clock;
  log: Logger;
  routes(): RouteConfig[];
  incident(id: number): Promise<IncidentRow | undefined>;
  /** A cause (tell/grouping's parent): whether it is open, and who acknowledged it. */
  cause?(id: number): Promise<CauseState | undefined>;
  event(id: string): Promise<DomainEvent | undefined>;
  send(event: DomainEvent, route: string, keyPrefix: string): Promise<unknown>;
  /** What keeps the event quiet now (a maintenance window, a silence): the timer then waits for its end. */
  quietUntil?(event: DomainEvent, now: number): Promise<QuietSpell | undefined>;
  /** How often to look for timers other Stewards armed (a cluster); a single Steward wakes itself when it arms one. */
  pollMs: PollInterval;
  /**
   * In a cluster: a wake when another Steward may have armed timers (src/platform/cluster/peer-poll.ts). Alone in the
   * cluster, pollMs is then long: this Steward's own timers are read as the next due, as on a store of its own.
   */
  onPeerEpoch?: (fn: () => void) => () => void;
}

/** What an escalation reads of a cause. */
export interface CauseState {
  status: "open" | "closed";
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface EscalationService {
  component: Component;
  /** The notifier's hook: arms the timers of the routes that queued an alert of an open incident. */
  queued(plan: Plan, now: number): Promise<void>;
  /** Arms the timers of `routes` that escalate, for an alert of an open incident or an open cause's page sent on them now. */
  arm(e: DomainEvent, routes: Iterable<string>, now: number): Promise<void>;
  postpone(incidentId: number, until: number): Promise<void>;
  /** A snooze of a cause: its pending timers wait until then. */
  postponeCause(causeId: number, until: number): Promise<void>;
}

/**
 * What an alert's timer names: a task's failure its open incident (as before causes escalated); any other page of an
 * open cause that cause (a node's service stopped, a queue backed up, a check-in missed: none holds a task incident).
 */
export function escalationSubject(e: DomainEvent): { incidentId: number } | { causeId: number } | undefined {
  if (isTaskEvent(e) && e.incident?.status === "open" && (e.kind === "task.failed" || e.kind === "task.aborted")) return { incidentId: e.incident.id };
  // A recovery's page, or a cause's update (queued() leaves those out), is no news to escalate.
  if (e.cause?.status === "open" && e.cause.update === undefined && !(isTaskEvent(e) && e.incident?.status === "closed")) return { causeId: e.cause.id };
  return undefined;
}

const BATCH = 50;
/** After a pass that could not read the store, the next look comes this soon at the latest. */
const RETRY_MS = 60_000;

export function createEscalationService(deps: EscalationDeps): EscalationService {
  const { store, clock, log } = deps;
  let timer: Timer | undefined;
  let running = false;
  let busy: Promise<void> | undefined;
  let again = false;
  let unsubscribePeers: (() => void) | undefined;

  const escalateOf = (route: string) => nameRoutes(deps.routes()).find((r) => r.name === route)?.config.escalate;

  function schedule(at: number): void {
    if (!running) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => pass(), Math.max(0, at - clock.now()));
    timer.unref?.();
  }

  function pass(): Promise<void> {
    if (!running) return Promise.resolve();
    if (busy) {
      again = true;
      return busy;
    }
    let failed = false;
    busy = fireDue()
      .catch((err) => {
        failed = true;
        log.error({ err: describeError(err) }, "escalation timers could not be read");
      })
      .finally(async () => {
        busy = undefined;
        if (again) {
          again = false;
          return pass();
        }
        const next = await store.nextDueAt().catch(() => {
          failed = true;
          return undefined;
        });
        const now = clock.now();
        // The store could not be read: look again soon, not only at the next poll (an hour on a store of its own).
        schedule(Math.min(next ?? Infinity, now + Math.min(pollMsOf(deps.pollMs), failed ? RETRY_MS : Infinity)));
      });
    return busy;
  }

  async function fireDue(): Promise<void> {
    for (const row of await store.due(clock.now(), BATCH)) {
      if (!(await store.claim(row.id, clock.now()))) continue;
      try {
        await fire(row);
      } catch (err) {
        log.error({ escalation: row.id, err: describeError(err) }, "escalation failed");
        await store.settle(row.id, "skipped", `failed: ${describeError(err)}`, clock.now());
      }
    }
  }

  /** Why a timer stops before it fires: its incident or cause recovered or was acknowledged. */
  async function stopReason(row: EscalationRow): Promise<string | undefined> {
    const what = row.causeId === null ? "incident" : "cause";
    const state = row.causeId === null ? await deps.incident(row.incidentId) : await deps.cause?.(row.causeId);
    if (state?.status !== "open") {
      // Closed by a person (POST /v4/incidents/{id}/resolve, a resolve in PagerDuty…) rather than by a good run.
      const summary = state && "closedSummary" in state ? state.closedSummary : undefined;
      return typeof summary === "string" && summary.startsWith("resolved by ") ? `the ${what} was ${summary}` : `the ${what} recovered in time`;
    }
    if (state.acknowledgedAt !== null) return `acknowledged by ${state.acknowledgedBy ?? "someone"}`;
    return undefined;
  }

  async function fire(row: EscalationRow): Promise<void> {
    const now = clock.now();
    const stop = await stopReason(row);
    if (stop) return store.settle(row.id, "stopped", stop, now);
    const event = await deps.event(row.eventId);
    const target = nameRoutes(deps.routes()).find((r) => r.name === row.toRoute);
    if (!event || !target) return store.settle(row.id, "skipped", !event ? "the alert's event is no longer kept" : `no route named ${row.toRoute}`, now);
    // Sent through the gates, it would be held there, recorded as an alert of the window (counted a second time in
    // its summary) or as a silence's hold (released later even if someone acknowledged meanwhile), while this row
    // said "fired". So it waits, and is judged again (acknowledged? recovered?) when the quiet ends.
    const quiet = await deps.quietUntil?.(event, now);
    if (quiet) {
      log.info({ incident: row.incidentId, to: row.toRoute, until: quiet.until }, "escalation due while its incident is kept quiet: waits");
      return store.defer(row.id, Math.max(quiet.until, now + 1), `waiting for the end of ${quiet.reason}; sent then if still not acknowledged`);
    }
    const filters = { ...target.config, on: [event.kind], activeTimes: undefined, mutedTimes: undefined };
    const refused = matchRoute(filters, event).reason ?? timeFilterReason(target.config.activeTimes, target.config.mutedTimes, now);
    if (refused) return store.settle(row.id, "skipped", `route ${row.toRoute} does not take it: ${refused}`, now);
    await deps.send(event, row.toRoute, `esc:${row.causeId === null ? row.incidentId : `cause-${row.causeId}`}:${row.toRoute}|`);
    log.warn({ incident: row.incidentId, cause: row.causeId, from: row.fromRoute, to: row.toRoute }, "not acknowledged in time: escalated");
    await store.settle(row.id, "fired", `sent on route ${row.toRoute}`, now);
  }

  async function arm(e: DomainEvent, routes: Iterable<string>, now: number): Promise<void> {
    const subject = escalationSubject(e);
    if (!subject) return;
    let armed = false;
    for (const route of new Set(routes)) {
      const esc = escalateOf(route);
      if (!esc) continue;
      const named = "causeId" in subject ? { incidentId: 0, causeId: subject.causeId } : subject;
      armed = (await store.arm({ ...named, fromRoute: route, toRoute: esc.to, eventId: e.id, dueAt: now + esc.after }, now)) || armed;
    }
    if (armed && running) schedule(Math.min(now + pollMsOf(deps.pollMs), (await store.nextDueAt()) ?? Infinity));
  }

  return {
    component: {
      name: "escalation",
      async start() {
        running = true;
        unsubscribePeers = deps.onPeerEpoch?.(() => void pass());
        await pass();
      },
      async stop() {
        running = false;
        unsubscribePeers?.();
        unsubscribePeers = undefined;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        await busy;
      },
    },
    async queued(plan, now) {
      // A cause's update (src/tell/grouping/updates.ts) is news about a cause whose first page already started the clock.
      await arm(plan.event, new Set(plan.deliveries.filter((d) => wouldSend(d) && !d.key.startsWith("cause-update:")).map((d) => d.route)), now);
    },
    arm,
    async postpone(incidentId, until) {
      await store.postpone(incidentId, until);
    },
    async postponeCause(causeId, until) {
      await store.postponeCause(causeId, until);
    },
  };
}
