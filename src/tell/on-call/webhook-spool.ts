// The on-call webhooks' spool (issue 103): a verified acknowledgement or resolve that arrives while the store is
// unreachable is written to a file under <dataDir>/webhook-spool and answered 202, then applied once the store answers
// again. Opsgenie and JSM do not send an outgoing webhook again, and PagerDuty retries only a few times within minutes:
// a 503 lost what a person did there. Bounded in files and bytes; a full spool answers 503 with Retry-After, which
// PagerDuty retries. Each Steward spools on its own disk and drains its own, also after a restart.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createDemandTicker } from "../../platform/core/demand-ticker";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { causedByStoreOutage } from "../../platform/store/sql";
import type { ProductAct } from "./act";

/** What is kept of a delivery: what it asks Steward to do, and the product's id of it (for the replay guard). */
export interface SpooledDelivery {
  act: ProductAct;
  deliveryId: string;
  receivedAtMs: number;
}

export interface WebhookSpool {
  /** Keeps the delivery on disk; false when the spool is full (the caller answers 503). */
  put(d: SpooledDelivery): boolean;
  /** Applies what is kept, oldest first, until the store fails again; how many were applied. */
  drain(): Promise<number>;
  /** How many deliveries wait. */
  size(): number;
  readonly component: Component;
}

export const SPOOL_MAX_FILES = 1_000;
export const SPOOL_MAX_BYTES = 4 * 1024 * 1024;
/** How often a spool that holds deliveries tries the store again. */
const RETRY_MS = 5_000;

export function createWebhookSpool(deps: {
  dir: string;
  clock: Clock;
  log: Logger;
  /** Applies one delivery (the replay guard's record, then the act); throws while the store is unreachable. */
  apply(d: SpooledDelivery): Promise<void>;
  maxFiles?: number;
  maxBytes?: number;
}): WebhookSpool {
  const log = deps.log.child({ module: "webhook-spool" });
  const maxFiles = deps.maxFiles ?? SPOOL_MAX_FILES;
  const maxBytes = deps.maxBytes ?? SPOOL_MAX_BYTES;
  let seq = 0;
  let ready = false;
  const sizes = new Map<string, number>();
  const bytes = () => [...sizes.values()].reduce((a, b) => a + b, 0);

  /** Reads what a previous run left (created on first use, so a site that never needs it has no folder). */
  function open(): void {
    if (ready) return;
    mkdirSync(deps.dir, { recursive: true });
    for (const name of readdirSync(deps.dir)) {
      if (name.endsWith(".json")) sizes.set(name, statSync(join(deps.dir, name)).size);
      else if (name.endsWith(".tmp")) unlinkSync(join(deps.dir, name));
    }
    ready = true;
  }

  const ticker = createDemandTicker(deps.clock, { busyMs: RETRY_MS }, async () => {
    await drain();
    return sizes.size > 0;
  });

  async function drain(): Promise<number> {
    open();
    let applied = 0;
    for (const name of [...sizes.keys()].sort()) {
      const path = join(deps.dir, name);
      let d: SpooledDelivery;
      try {
        d = JSON.parse(readFileSync(path, "utf8")) as SpooledDelivery;
      } catch (err) {
        log.error({ file: path, err: describeError(err) }, "a spooled webhook delivery cannot be read: set aside");
        renameSync(path, `${path}.unreadable`);
        sizes.delete(name);
        continue;
      }
      try {
        await deps.apply(d);
      } catch (err) {
        if (causedByStoreOutage(err)) return applied;
        log.error({ product: d.act.product, key: d.act.key, err: describeError(err) }, "a spooled webhook delivery failed: dropped");
      }
      unlinkSync(path);
      sizes.delete(name);
      applied++;
      log.info(
        { product: d.act.product, action: d.act.action, key: d.act.key, waitedMs: deps.clock.now() - d.receivedAtMs },
        "spooled webhook delivery applied",
      );
    }
    return applied;
  }

  return {
    put(d) {
      open();
      const text = JSON.stringify(d);
      const size = Buffer.byteLength(text);
      if (sizes.size >= maxFiles || bytes() + size > maxBytes) {
        log.warn({ product: d.act.product, held: sizes.size, bytes: bytes() }, "webhook spool full: the delivery is refused with 503");
        return false;
      }
      const name = `${String(d.receivedAtMs).padStart(15, "0")}-${process.pid}-${String(seq++).padStart(6, "0")}.json`;
      const tmp = join(deps.dir, `${name}.tmp`);
      writeFileSync(tmp, text, { flush: true });
      renameSync(tmp, join(deps.dir, name));
      sizes.set(name, size);
      log.warn({ product: d.act.product, action: d.act.action, key: d.act.key }, "store unreachable: webhook delivery spooled, applied once it answers");
      ticker.poke();
      return true;
    },
    drain,
    size: () => (open(), sizes.size),
    component: {
      name: "on-call webhook spool",
      async start() {
        ticker.start();
      },
      async stop() {
        await ticker.stop();
      },
    },
  };
}
