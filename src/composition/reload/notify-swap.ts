// Live reload of channels, routes and notify settings: a new notifier is built from the new config (template
// or channel errors reject the reload), the old one stops (its bus subscription first; in-flight sends finish
// or go back to the outbox), and the new one takes over the same object, so routes, readiness and app.notify
// keep working. Events published during the hand-over are written to the outbox by the new notifier at once;
// queued deliveries stay in the store and the new worker sends them.
import type { EventBus } from "../../platform/core/bus";
import type { DomainEvent, DomainEvents } from "../../platform/events/types";
import type { Notifier } from "../../tell/notify";
import type { Config, LoadedConfig } from "../config";
import type { Reconfigurable } from "../../platform/config/reload/reloader";

export interface NotifySwapDeps {
  notifier: Notifier;
  bus: EventBus<DomainEvents>;
  /** Builds a notifier for a config (createNotifier with the app's store, bus, clock and reusable metrics). */
  build(next: LoadedConfig): Notifier;
  /** How long in-flight sends may take to finish before they are handed back to the outbox. */
  drainBudgetMs?: number;
  /** Is the app running (component started)? A stopped app only swaps the object. */
  running(): boolean;
}

export function notifyReconfigurable(deps: NotifySwapDeps): Reconfigurable<Config> {
  return {
    name: "notify",
    sections: ["channels", "routes", "notify"],
    prepare(next) {
      const fresh = deps.build(next);
      return {
        async apply() {
          const target = deps.notifier;
          const component = target.component;
          const wasRunning = deps.running();
          // Events published during the hand-over go straight into the outbox through the new notifier (its
          // worker sends them once started), never into a memory buffer a crash would lose. Required, like the
          // notifier's own subscription: a failed write makes the producer leave the event unhandled. An event
          // that also reaches the started new notifier is written once: outbox keys are idempotent.
          const handOver = deps.bus.onAny(async (_kind, payload) => void (await fresh.dispatch(payload as DomainEvent)), { required: true });
          try {
            if (wasRunning) await component.stop(deps.drainBudgetMs ?? 10_000);
            // The lifecycle and the routes hold these two objects; give them the new behaviour in place.
            Object.assign(component, { start: fresh.component.start, stop: fresh.component.stop });
            const { component: _c, ...methods } = fresh;
            Object.assign(target, methods);
            if (wasRunning) await component.start();
          } finally {
            handOver();
          }
        },
      };
    },
  };
}
