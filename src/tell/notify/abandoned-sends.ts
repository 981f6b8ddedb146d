// Sends a Steward of a cluster left in sending when it died: found and handed back to pending so another Steward
// sends them (the outbox worker asks at its passes).
import type { Logger } from "pino";
import type { OutboxStore } from "./outbox-store";

/** What the look needs (the outbox worker's deps: src/tell/notify/worker.ts says what each is). */
interface AbandonedDeps {
  outbox: Pick<OutboxStore, "resetSending">;
  log: Logger;
  liveInstances?: () => Promise<readonly string[]>;
  stillLive?: (ids: Iterable<string>) => boolean;
  peerPollMs?: () => number;
  memberGraceMs?: number;
  peers?: { gate: (() => boolean) & { missed(): void } };
}

/** In a cluster, how often the store is asked for deliveries a dead Steward left in sending when none was seen to die. */
const RESET_EVERY_MS = 15_000;

/**
 * Sends again what a Steward that is gone (killed mid-send) left in sending: a member whose heartbeat is older than
 * the lease is dead to the cluster (as for its duties), and its claims end with it once it has stayed missing for
 * memberGraceMs (a store outage makes every heartbeat late until the next one; a member never seen alive is not
 * waited for). The store is asked when a member's grace ran out, every RESET_EVERY_MS, and at start; between them, only
 * when a member live at the last look may have gone silent since (stillLive).
 */
export function abandonedSends(deps: AbandonedDeps) {
  const seen: { lookedAt: number; resetAt: number; live?: ReadonlySet<string> } = { lookedAt: 0, resetAt: 0 };
  /** Members live at an earlier look, missing since. */
  const missing = new Map<string, number>();
  async function look(now: number): Promise<void> {
    seen.lookedAt = now;
    // Every member live at the last look certainly is still, none is waited for and no reset is due: nothing to take
    // over, and no statement (a look every second each, at the default pace, read the members).
    if (seen.live && missing.size === 0 && now - seen.resetAt < RESET_EVERY_MS && deps.stillLive?.(seen.live)) return;
    const live = deps.liveInstances ? await deps.liveInstances() : undefined;
    const before = seen.live;
    seen.live = live ? new Set(live) : undefined;
    for (const id of before ?? []) if (!seen.live?.has(id) && !missing.has(id)) missing.set(id, now);
    const waiting: string[] = [];
    let gone = false;
    for (const [id, since] of missing) {
      if (seen.live?.has(id)) missing.delete(id);
      else if (now - since < (deps.memberGraceMs ?? 0)) waiting.push(id);
      else gone = missing.delete(id);
    }
    if (!gone && live !== undefined && before !== undefined && now - seen.resetAt < RESET_EVERY_MS) return;
    seen.resetAt = now;
    const reset = await deps.outbox.resetSending(now, live ? [...live, ...waiting] : undefined);
    if (reset > 0) deps.log.warn({ deliveries: reset }, "deliveries interrupted by the last stop are sent again");
  }
  return {
    start(now: number): Promise<void> {
      seen.live = undefined;
      return look(now);
    },
    /** In a cluster, another Steward may have died mid-send since the last look. */
    async due(now: number): Promise<void> {
      if (!deps.liveInstances || now - seen.lookedAt < resetEveryMs(deps)) return;
      // Alone since the last look with nothing changed: no member can have died mid-send meanwhile.
      if (deps.peers && !deps.peers.gate()) return void (seen.lookedAt = now);
      try {
        await look(now);
      } catch (err) {
        deps.peers?.gate.missed();
        throw err;
      }
    },
  };
}

/**
 * How often to look for sends a dead Steward left: at the peers' pace (a second while the cluster has other members,
 * the heartbeat's while this Steward is alone in it: a killed member stays listed for a day, so the heartbeat does not
 * find this Steward alone while one may have left sends behind). A dead member's sends go again within about its
 * lease and a second.
 */
function resetEveryMs(deps: Pick<AbandonedDeps, "peerPollMs">): number {
  return deps.peerPollMs?.() ?? RESET_EVERY_MS;
}
