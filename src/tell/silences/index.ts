// Silences: hold back the alerts a matcher covers until a time, recorded and visible, and sent when the silence ends
// while their condition lasts. setupSilences builds the store, the notify gate, the releaser and the REST routes.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Router } from "../../platform/http/route";
import type { DeliveryGate } from "../notify/gate";
import type { SqlDb } from "../../platform/store/sql";
import type { DomainEvent } from "../../platform/events/types";
import { type ConditionIncidentOf, coveringSilence, createSilenceGate } from "./gate";
import { createSilenceReleaser, type ReleaseDeps, type SilenceReleaser } from "./release";
import { registerSilenceRoutes } from "./routes";
import { createSilenceService, type SilenceService } from "./service";
import { createSilenceStore, type SilenceRow } from "./silence-store";

export { silenceMigrations } from "./migrations";
export { matchesSilence, SilenceMatcherSchema, describeMatcher, type SilenceMatcher } from "./matcher";
export type { SilenceService } from "./service";
export type { ConditionIncidentOf } from "./gate";
export type { SilenceView, HoldView } from "./routes";

export interface SilencesDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  lifecycle: Lifecycle;
  /** notify.outbox.maxAge: how long a released alert may keep failing before it is dead-lettered. */
  maxAgeMs: number;
  /** notify.outbox.keep: how long settled held alerts stay listed. */
  keepMs: number;
  /** Wakes the notifier (released alerts are pending rows). */
  wake(): void;
  /** The site's zone (notify.timeZone, else this machine's): a start or end given without an offset is read in it. */
  siteZone(): string;
  /** Told of each held alert sent when its silence ended (escalation timers start from it). */
  released?: ReleaseDeps["released"];
  /** Records who received a held alert sent when its silence ended, in the transaction that sends it. */
  received?: ReleaseDeps["received"];
  /** Whether a held page of a cause is still to be sent to this receiver (see ReleaseDeps.causePage). */
  causePage?: ReleaseDeps["causePage"];
  /** The open incident of the condition an event opens or adds to: a snooze of it holds the event (gate.ts). */
  conditionIncidentOf?: ConditionIncidentOf;
}

export interface Silences {
  service: SilenceService;
  gate: DeliveryGate;
  /** After the grouping's gate: the silences naming causes hold what the grouping let through of their causes. */
  causeGate: DeliveryGate;
  /** The active silence that covers `e` and ends last, if any (what an escalation due now waits for). */
  covering(e: DomainEvent, now: number): Promise<SilenceRow | undefined>;
  /** Sends what ended silences held, every 5 s while something is held (sweep() runs one now). */
  releaser: SilenceReleaser;
}

export function setupSilences(deps: SilencesDeps): Silences {
  const log = deps.log.child({ module: "silences" });
  const store = createSilenceStore(deps.db);
  const releaser = createSilenceReleaser({
    store,
    clock: deps.clock,
    log,
    maxAgeMs: deps.maxAgeMs,
    keepMs: deps.keepMs,
    wake: deps.wake,
    ...(deps.released ? { released: deps.released } : {}),
    ...(deps.received ? { received: deps.received } : {}),
    ...(deps.causePage ? { causePage: deps.causePage } : {}),
  });
  const service = createSilenceService(store, releaser, deps.clock, deps.siteZone);
  registerSilenceRoutes(deps.router, service, deps.clock);
  deps.lifecycle.add(releaser.component);
  const onHeld = () => releaser.noteHeld();
  return {
    service,
    gate: createSilenceGate(store, log, onHeld, false, deps.conditionIncidentOf),
    causeGate: createSilenceGate(store, log, onHeld, true, deps.conditionIncidentOf),
    covering: (e, now) => coveringSilence(store, e, now, undefined, deps.conditionIncidentOf),
    releaser,
  };
}
