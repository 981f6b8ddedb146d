// The timer that removes expired keys: armed for the earlier of the next expiry and the purge interval, and
// armed again after every purge (a purge only once a key has expired). While the store cannot be reached it tries
// again after one interval.
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";
import type { SqlDb } from "../../platform/store/sql";

export interface PurgeTimerDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  purgeIntervalMs: number;
  /** SQL answering the earliest expiry of any key as `t` (null when no key expires). */
  nextExpirySql: string;
  purge: () => Promise<number>;
}

export interface PurgeTimer {
  /** From now on the timer runs; call arm() after. */
  run(): void;
  /** Arms the timer for the earlier of the next expiry and the purge interval (no-op when stopped). */
  arm(): Promise<void>;
  /** Clears the timer and waits for the purge it started. */
  stop(): Promise<void>;
}

export function createPurgeTimer(d: PurgeTimerDeps): PurgeTimer {
  const { db, clock, log } = d;
  let timer: Timer | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let running = false;
  /** The purge the timer started, awaited by stop(). */
  let purging: Promise<void> | undefined;

  const nextExpiry = async (): Promise<number | null> => {
    const t = (await db.get<{ t: number | null }>(d.nextExpirySql))?.t ?? null;
    return t === null ? null : Number(t);
  };

  /** `known`: the next expiry as just read (it is read here when not given). */
  async function arm(known?: number | null): Promise<void> {
    if (!running) return;
    const next = known === undefined ? await nextExpiry() : known;
    if (!running) return;
    const now = clock.now();
    const due = Math.min(next ?? Number.POSITIVE_INFINITY, now + d.purgeIntervalMs);
    if (timer && due >= timerDue) return;
    if (timer) clock.clearTimeout(timer);
    timerDue = due;
    timer = clock.setTimeout(onPurgeTimer, Math.max(0, due - now));
    timer.unref?.();
  }

  function onPurgeTimer(): Promise<void> | undefined {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    if (!running || !db.isOpen) return undefined;
    // The timer also comes at every purge interval (a key another Steward wrote may expire sooner than any seen
    // here): when nothing has expired by then, one look at the next expiry arms it again, without a purge.
    purging = nextExpiry()
      .then(async (next) => {
        if (next === null || next > clock.now()) return arm(next);
        await d.purge().catch((err) => log.error({ err: (err as Error).message }, "purging expired keys failed"));
        return arm();
      })
      .catch((err) => {
        log.error({ err: (err as Error).message }, "arming the purge of expired keys failed");
        // The store is unreachable: try again after one interval rather than never.
        if (running && !timer) {
          timerDue = clock.now() + d.purgeIntervalMs;
          timer = clock.setTimeout(onPurgeTimer, d.purgeIntervalMs);
          timer.unref?.();
        }
      })
      .finally(() => (purging = undefined));
    return purging;
  }

  return {
    run() {
      running = true;
    },
    arm,
    async stop() {
      running = false;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      await purging;
    },
  };
}
