// Runs a component only while this Steward holds a site-wide duty (a cluster on PostgreSQL): started when the
// lease is gained, stopped when it is lost, in order. A single Steward does not gate anything.
import type { Logger } from "pino";
import type { Component } from "../core/lifecycle";
import type { Cluster, DutyName } from "./cluster";

export type DutyGate = (duty: DutyName, inner: Component) => Component;

export const noGate: DutyGate = (_duty, inner) => inner;

export function dutyGate(cluster: Cluster, log: Logger): DutyGate {
  return (duty, inner) => {
    let unsubscribe: (() => void) | undefined;
    let active = false;
    let chain: Promise<void> = Promise.resolve();
    const run = (what: string, fn: () => Promise<void> | void) => {
      chain = chain.then(fn).catch((err: Error) => log.error({ component: inner.name, duty, err: err.message }, `${what} failed`));
    };
    return {
      name: `${inner.name} (while leading ${duty})`,
      async start() {
        unsubscribe = cluster.onDuty(duty, (held) => {
          if (held && !active) {
            active = true;
            run(`starting ${inner.name}`, () => inner.start());
          } else if (!held && active) {
            active = false;
            run(`stopping ${inner.name}`, () => inner.stop(5_000));
          }
        });
        await chain;
      },
      async stop(budgetMs) {
        unsubscribe?.();
        unsubscribe = undefined;
        if (active) {
          active = false;
          run(`stopping ${inner.name}`, () => inner.stop(budgetMs));
        }
        await chain;
      },
    };
  };
}
