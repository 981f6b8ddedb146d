// The on-call webhooks' spool (issues 103, 104): a verified acknowledgement or resolve that arrives while the store is
// unreachable is written to a file in the spool folder and answered 202, then applied once the store answers again.
// Opsgenie and JSM do not send an outgoing webhook again, and PagerDuty retries only a few times within minutes (and
// Steward refuses a PagerDuty delivery older than 10 minutes as a replay): a 503 lost what a person did there. Bounded
// in files and bytes; a full spool answers 503 with Retry-After, which PagerDuty retries.
// The folder is <dataDir>/webhook-spool, or notify.webhookSpool.dir, which every Steward of a cluster may share: then
// each applies what any of them kept, so a Steward that never comes back leaves nothing behind. A file is claimed by
// renaming it before it is applied, so two Stewards draining at once apply it once; a claim whose Steward died while
// applying it is taken back after CLAIM_STALE_MS.
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
  /** Applies what is kept (by any Steward sharing the folder), oldest first, until the store fails again; how many were applied. */
  drain(): Promise<number>;
  /** How many deliveries wait. */
  size(): number;
  readonly component: Component;
}

export const SPOOL_MAX_FILES = 1_000;
export const SPOOL_MAX_BYTES = 4 * 1024 * 1024;
/** How often a spool that holds deliveries tries the store again. */
const RETRY_MS = 5_000;
/** How often a shared folder is looked at for what another Steward left (one directory listing). */
const SHARED_LOOK_MS = 30_000;
/** A claim older than this is a Steward that stopped while applying it: another takes it back. */
export const CLAIM_STALE_MS = 2 * 60_000;

const CLAIM = ".claim-";

export function createWebhookSpool(deps: {
  dir: string;
  clock: Clock;
  log: Logger;
  /** Applies one delivery (the replay guard's record, then the act); throws while the store is unreachable. */
  apply(d: SpooledDelivery): Promise<void>;
  /** This Steward's name in the cluster (file and claim names); the folder may be shared with others. */
  instance?: string;
  /** The folder is shared by the Stewards of a cluster: look at it now and then for what another one left. */
  shared?: boolean;
  maxFiles?: number;
  maxBytes?: number;
}): WebhookSpool {
  const log = deps.log.child({ module: "webhook-spool" });
  const maxFiles = deps.maxFiles ?? SPOOL_MAX_FILES;
  const maxBytes = deps.maxBytes ?? SPOOL_MAX_BYTES;
  const me = (deps.instance ?? "steward").replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  let seq = 0;
  let ready = false;
  /** Foreign claims seen, and when (this Steward's clock): taken back once older than CLAIM_STALE_MS. */
  const claimsSeen = new Map<string, number>();

  /** Made on first use (a site that never needs it has no folder); half-written files of a stopped run are removed. */
  function open(): void {
    if (ready) return;
    mkdirSync(deps.dir, { recursive: true });
    for (const name of readdirSync(deps.dir)) {
      // This Steward's own claims: it stopped while applying them; they wait again.
      if (name.endsWith(`${CLAIM}${me}`)) release(name);
      else if (name.endsWith(".tmp") && name.includes(`-${me}-`)) unlinkSync(join(deps.dir, name));
    }
    ready = true;
  }

  const waiting = () => readdirSync(deps.dir).filter((n) => n.endsWith(".json"));
  const release = (claimName: string) => {
    try {
      renameSync(join(deps.dir, claimName), join(deps.dir, claimName.slice(0, claimName.indexOf(CLAIM))));
    } catch {
      // Another Steward released or took it first.
    }
  };

  /** Claims other Stewards hold for longer than CLAIM_STALE_MS go back to waiting. */
  function takeBackStaleClaims(): void {
    const now = deps.clock.now();
    const present = new Set<string>();
    for (const name of readdirSync(deps.dir)) {
      if (!name.includes(CLAIM) || name.endsWith(`${CLAIM}${me}`)) continue;
      present.add(name);
      const since = claimsSeen.get(name) ?? now;
      claimsSeen.set(name, since);
      if (now - since >= CLAIM_STALE_MS) {
        log.warn({ file: name }, "a spooled webhook delivery claimed by a Steward that stopped while applying it: taken back");
        release(name);
      }
    }
    for (const name of claimsSeen.keys()) if (!present.has(name)) claimsSeen.delete(name);
  }

  const ticker = createDemandTicker(deps.clock, { busyMs: RETRY_MS, ...(deps.shared ? { idleMs: SHARED_LOOK_MS } : {}) }, async () => {
    await drain();
    return waiting().length > 0;
  });

  async function drain(): Promise<number> {
    open();
    takeBackStaleClaims();
    let applied = 0;
    for (const name of waiting().sort()) {
      const path = join(deps.dir, name);
      const claimed = `${path}${CLAIM}${me}`;
      try {
        renameSync(path, claimed);
      } catch {
        continue; // another Steward claimed it first
      }
      let d: SpooledDelivery;
      try {
        d = JSON.parse(readFileSync(claimed, "utf8")) as SpooledDelivery;
      } catch (err) {
        log.error({ file: path, err: describeError(err) }, "a spooled webhook delivery cannot be read: set aside");
        renameSync(claimed, `${path}.unreadable`);
        continue;
      }
      try {
        await deps.apply(d);
      } catch (err) {
        if (causedByStoreOutage(err)) {
          renameSync(claimed, path);
          return applied;
        }
        log.error({ product: d.act.product, key: d.act.key, err: describeError(err) }, "a spooled webhook delivery failed: dropped");
      }
      unlinkSync(claimed);
      applied++;
      log.info(
        { product: d.act.product, action: d.act.action, key: d.act.key, waitedMs: deps.clock.now() - d.receivedAtMs, file: name },
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
      const held = readdirSync(deps.dir).filter((n) => n.endsWith(".json") || n.includes(CLAIM));
      const bytes = held.reduce((sum, n) => {
        try {
          return sum + statSync(join(deps.dir, n)).size;
        } catch {
          return sum; // applied meanwhile
        }
      }, 0);
      if (held.length >= maxFiles || bytes + size > maxBytes) {
        log.warn({ product: d.act.product, held: held.length, bytes }, "webhook spool full: the delivery is refused with 503");
        return false;
      }
      // Sorted by arrival across Stewards: the time first, then who kept it.
      const name = `${String(d.receivedAtMs).padStart(15, "0")}-${me}-${process.pid}-${String(seq++).padStart(6, "0")}.json`;
      const tmp = join(deps.dir, `${name}.tmp`);
      writeFileSync(tmp, text, { flush: true });
      renameSync(tmp, join(deps.dir, name));
      log.warn({ product: d.act.product, action: d.act.action, key: d.act.key }, "store unreachable: webhook delivery spooled, applied once it answers");
      ticker.poke();
      return true;
    },
    drain,
    size: () => (open(), waiting().length + readdirSync(deps.dir).filter((n) => n.includes(CLAIM)).length),
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
