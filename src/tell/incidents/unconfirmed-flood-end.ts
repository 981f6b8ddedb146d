// The end of a flood of runs QRS could not confirm from one sending address (issue 86). Its summary page opened the
// address's cause (tell/grouping/unconfirmed-flood.ts); nothing the flood sends ends it, so Steward ends it by rule:
// once the address has sent no unconfirmed run of that outcome for intake.confirm.unconfirmedBudget.perSourceWindowMinutes
// (site-wide: the Stewards of a cluster write its last run to the store they share, hear/intake/unconfirmed-store.ts),
// or once QRS confirmed one of its runs, the cause is resolved as a person's resolve would be (resolve.ts): its
// follow-up goes where its pages went (a recovery on chat and mail, PagerDuty's resolve with the same dedup_key, the
// JSM / Opsgenie close, Alertmanager's endsAt), once, by whichever Steward closes it first. The runs it held were never
// announced; reconciliation announces each one QRS later shows.
import type { Logger } from "pino";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import { createDemandTicker } from "../../platform/core/demand-ticker";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { ResolvedByHand } from "../../platform/events/run-context";
import { type DomainEvents, TASK_EVENT_KINDS } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { createUnconfirmedStore } from "../../hear/intake/unconfirmed-store";
import { unconfirmedFloodSubject } from "../grouping/unconfirmed-flood";
import type { IncidentCauses } from "./incident-causes";

/** How often the ends are looked for, at most: a flood's cause ends within the window and this much after its last run. */
export const FLOOD_LOOK_MS = 60_000;
/** While no address has a row here, how often a Steward on PostgreSQL looks for rows other Stewards wrote and left. */
const IDLE_LOOK_MS = 3_600_000;
/** Addresses judged per look (far above a site's nodes: the intake admits only theirs). */
const PER_LOOK = 200;

export interface UnconfirmedFloodEnds {
  /** Resolves the causes of the floods that are over now; returns how many it resolved. */
  sweep(): Promise<number>;
  readonly component: Component;
}

export function createUnconfirmedFloodEnds(deps: {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  /** intake.confirm.unconfirmedBudget.perSourceWindowMinutes, in ms. */
  windowMs: number;
  causes: Pick<IncidentCauses, "openCausesOf">;
  resolveCause(causeId: number, r: ResolvedByHand): Promise<unknown>;
  /** The bus: a run paged unconfirmed wakes the looks (its address has a row now). */
  bus?: EventBus<DomainEvents>;
}): UnconfirmedFloodEnds {
  const log = deps.log.child({ module: "unconfirmed-floods" });
  const store = createUnconfirmedStore(deps.db);
  let unsubscribe: Array<() => void> = [];
  let running: Promise<number> = Promise.resolve(0);

  async function sweep(): Promise<number> {
    const now = deps.clock.now();
    let resolved = 0;
    for (const row of await store.quietSince(now - deps.windowMs, PER_LOOK)) {
      const why =
        row.lastAt === 0
          ? `QRS confirmed a run from ${row.address}`
          : `${row.address} has sent no ${row.outcome} run that QRS could not confirm for ${Math.round(deps.windowMs / 60_000)} minutes`;
      for (const cause of await deps.causes.openCausesOf(unconfirmedFloodSubject(row.address, row.outcome))) {
        // Undefined when another Steward of the cluster closed it first: its follow-up went once, from there.
        if (await deps.resolveCause(cause.id, { by: "Steward", via: "steward", note: why })) {
          resolved++;
          log.info({ causeId: cause.id, source: row.address, outcome: row.outcome }, "a flood of unconfirmed runs is over: its cause is resolved");
        }
      }
      await store.forget(row.key, row.lastAt);
    }
    return resolved;
  }

  const run = () => {
    running = running.then(sweep).catch((err: unknown) => {
      log.warn({ err: describeError(err) }, "could not look for floods of unconfirmed runs that are over; tried again");
      return 0;
    });
    return running;
  };

  // Almost every site has no such flood: the looks run while an address has a row, woken by a run paged unconfirmed.
  const busyMs = Math.min(FLOOD_LOOK_MS, Math.max(1_000, deps.windowMs / 4));
  const ticker = createDemandTicker(deps.clock, { busyMs, ...(deps.db.dialect === "postgres" ? { idleMs: IDLE_LOOK_MS } : {}) }, async () => {
    await run();
    return store.anyLeft();
  });

  return {
    sweep: run,
    component: {
      name: "unconfirmed flood ends",
      start() {
        const bus = deps.bus;
        if (bus) unsubscribe = TASK_EVENT_KINDS.map((k) => bus.on(k, (e) => (e.unconfirmed ? ticker.poke() : undefined)));
        ticker.start();
      },
      async stop() {
        for (const off of unsubscribe) off();
        unsubscribe = [];
        await ticker.stop();
        await running;
      },
    },
  };
}
