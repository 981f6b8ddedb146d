// The db-stop-phases scenario of the chaos suite: PostgreSQL stopped (fast, 3 s) while one failed run is held, on
// purpose, at each point of its processing, then how long after the store's return its alert came:
//   claimed   its claim committed, its enrichment waiting on QRS (a delay the simulator injects);
//   enriched  its event built, its outbox write waiting on a table lock the suite holds;
//   stored    its delivery in the outbox, waiting because every sender is busy (the receiver holds every send);
//   queued    its delivery handed to the channel, whose answer (a failure) comes while the store is down.
import postgres from "postgres";
import type { HaltMode } from "../src/show/demo/private-postgres";
import type { Simulator } from "../src/sim";
import type { PostgresService } from "../test/helpers/services";
import type { ChaosReport, ObservedRun, Phase } from "./chaos-report";

const STOP_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The alert receiver's side of the scenario: sends it holds until told how to answer them. */
export interface AlertHolds {
  /** How to answer a send about `executionId` (waits while it is held). */
  answerFor(executionId: string | undefined): Promise<number>;
  /** Holds every send (on), or lets them go (off), answered `status` (200 unless given). */
  holdAll(on: boolean, status?: number): void;
  /** Holds the sends about one run; `release(status)` answers them. */
  holdRun(executionId: string): { seen(): boolean; release(status: number): void };
}

export function createAlertHolds(): AlertHolds {
  let all: { promise: Promise<number>; open: (status: number) => void } | undefined;
  const runs = new Map<string, { seen: boolean; promise: Promise<number>; answer: (s: number) => void }>();
  return {
    async answerFor(id) {
      const run = id ? runs.get(id) : undefined;
      if (run) {
        run.seen = true;
        return run.promise;
      }
      return all ? all.promise : 200;
    },
    holdAll(on, status = 200) {
      if (on && !all) {
        let open!: (status: number) => void;
        const promise = new Promise<number>((r) => (open = r));
        all = { promise, open };
      } else if (!on && all) {
        all.open(status);
        all = undefined;
      }
    },
    holdRun(id) {
      let answer!: (s: number) => void;
      const promise = new Promise<number>((r) => (answer = r));
      const entry = { seen: false, promise, answer };
      runs.set(id, entry);
      return {
        seen: () => entry.seen,
        release(status) {
          runs.delete(id);
          answer(status);
        },
      };
    },
  };
}

export interface PhaseDeps {
  pg: PostgresService;
  /** The suite's database, reached directly (not through any proxy). */
  url: string;
  sim: Simulator;
  holds: AlertHolds;
  firstAlertAt: ReadonlyMap<string, number>;
  /** Starts a failing run on a live node: its execution id, node and start time. */
  startRun(): Promise<ObservedRun>;
  /** Senders of all live Stewards together (members × outbox concurrency). */
  senders(): number;
  log(line: string): void;
  /** What the live Stewards say of their intake (counters, recent warnings): why a run was not claimed. */
  intakeState(): Promise<string>;
}

/** A probe that does not answer in this time counts as "not yet" (a connection to a store just back may hang). */
const PROBE_MS = 5_000;

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  if (!(await within(probe, timeoutMs))) throw new Error(`db-stop-phases: timed out waiting for ${what}`);
}

/** True once `probe` answers true within `timeoutMs`; false when it never did. */
async function within(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), PROBE_MS)));
    const ok = await Promise.race([probe().catch(() => false), late]);
    clearTimeout(timer);
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

/** Tries to start a run and see it claimed; a run that was not, is still judged with the others (it must be alerted). */
const CLAIM_ATTEMPTS = 3;

/** Stops PostgreSQL for STOP_MS (a fast shutdown unless told otherwise); returns when it answered again. */
/**
 * Stops the store for STOP_MS. `restartedAt`: when it was started again (nothing can be written before); `backAt`: when
 * a query of ours was answered after that, which a Steward reconnecting on its own may beat by the readiness poll's
 * lag (up to a second or more on a loaded machine).
 */
async function stopStore(pg: PostgresService, mode: HaltMode = "fast"): Promise<{ restartedAt: number; backAt: number }> {
  await pg.halt(mode);
  await sleep(STOP_MS);
  const restartedAt = Date.now();
  await pg.resume();
  return { restartedAt, backAt: Date.now() };
}

/** Runs every phase in turn; each held run goes into `runs` (its delay counted from the store's return). */
export async function stopAtEveryPhase(d: PhaseDeps, runs: ObservedRun[]): Promise<ChaosReport["phases"]> {
  const out: ChaosReport["phases"] = [];
  for (const phase of ["claimed", "enriched", "stored", "queued"] as Phase[]) {
    const admin = postgres(d.url, { max: 1, onnotice: () => {} });
    const locker = postgres(d.url, { max: 1, onnotice: () => {} });
    const rows = async (q: string, args: string[] = []) => (await admin.unsafe(q, args)).length;
    const claimed = (id: string) => rows("SELECT 1 FROM intake_seen WHERE execution_id = $1 AND claimed_by IS NOT NULL", [id]).then((n) => n > 0);
    const state = async (id: string) => {
      const seen = await admin
        .unsafe("SELECT key, claimed_by, seen_at, expires_at FROM intake_seen WHERE execution_id = $1", [id])
        .then((r) => JSON.stringify(r))
        .catch((err: Error) => `unreadable: ${err.message}`);
      return `intake_seen rows: ${seen}; alerted: ${d.firstAlertAt.has(id)}\n${await d.intakeState()}`;
    };
    let run: ObservedRun;
    let back: { restartedAt: number; backAt: number };
    try {
      if (phase === "claimed") {
        // QRS slow for the run's first lookups: they answer while the store is down, so the run is enriched then and
        // its outbox write fails (a delay longer than the stop would only postpone the whole run past it).
        const fault = d.sim.faults.add({ target: "qrs", delayMs: 2_000, forMs: 60_000 }, Date.now());
        try {
          run = await claimedRun(d, runs, claimed, state);
          const stopping = stopStore(d.pg);
          await sleep(300);
          d.sim.faults.remove(fault.id);
          back = await stopping;
        } finally {
          d.sim.faults.remove(fault.id);
        }
      } else if (phase === "enriched") {
        const held = new Promise<void>(() => {});
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        void locker
          .begin(async (tx) => {
            await tx.unsafe("LOCK TABLE notify_events IN EXCLUSIVE MODE");
            locked();
            await held;
          })
          .catch(() => {});
        await isLocked;
        run = await d.startRun();
        await until("the run's claim", () => claimed(run.executionId), 60_000);
        await until(
          "an outbox write waiting on the lock",
          async () => (await rows("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%notify_events%'")) > 0,
        );
        // Enrichment of a run takes a fraction of a second here: past this, this run's write waits too.
        await sleep(1_500);
        // The lock holder's session ends with the stop, its transaction never finished here: releasing the lock before
        // would let the write through first, and finishing it after would write to the closed connection. An immediate
        // stop: in a fast one the holder's backend ends first and releases the lock, and under load the waiting write
        // was seen to commit in that instant (alerted 3.8 s before the store was back).
        back = await stopStore(d.pg, "immediate");
      } else if (phase === "stored") {
        d.holds.holdAll(true);
        // Busy: a delivery due for over a second that no sender took, because every sender is on a send or because
        // it waits behind a send of its own thread (the outbox sends a task's alerts to a channel in order, and the
        // load's runs are all of one task). Counting 'sending' rows alone is fooled by a killed member's rows still
        // 'sending' (a sender free meanwhile), once the load's folded failures (scripts/chaos-causes.ts) no longer keep
        // a backlog of deliveries.
        const overdue = `SELECT 1 FROM notify_deliveries WHERE status = 'pending' AND next_attempt_at <= (EXTRACT(EPOCH FROM now()) * 1000)::bigint - 1000`;
        const heldBehindItsThread = `${overdue} AND thread IS NOT NULL AND EXISTS (SELECT 1 FROM notify_deliveries s WHERE s.status = 'sending'
          AND s.thread = notify_deliveries.thread AND s.channel = notify_deliveries.channel AND s.recipient = notify_deliveries.recipient)`;
        await until(
          "every sender to be busy or the run's thread held",
          async () =>
            (await rows(heldBehindItsThread)) > 0 ||
            ((await rows("SELECT 1 FROM notify_deliveries WHERE status = 'sending'")) >= d.senders() && (await rows(overdue)) > 0),
          60_000,
        );
        // A run whose delivery a sender freed meanwhile took before the stop (seen under load) stays among the judged
        // runs and another is started, as for the claimed phase; after CLAIM_ATTEMPTS the scenario fails.
        const pendingOf = (id: string) =>
          rows("SELECT 1 FROM notify_deliveries WHERE status = 'pending' AND event_ids LIKE $1", [`%${id}%`]).then((n) => n > 0);
        for (let attempt = 1; ; attempt++) {
          const candidate = await d.startRun();
          await until("the run's delivery in the outbox", () => pendingOf(candidate.executionId));
          await sleep(500);
          if (await pendingOf(candidate.executionId)) {
            run = candidate;
            break;
          }
          d.log(`db-stop-phases: stored: run ${candidate.executionId}'s delivery was taken before the stop (attempt ${attempt})`);
          runs.push(candidate);
          if (attempt >= CLAIM_ATTEMPTS) throw new Error(`db-stop-phases: the stored run's delivery was taken before the stop, ${CLAIM_ATTEMPTS} runs`);
        }
        const stopping = stopStore(d.pg);
        await sleep(500);
        d.holds.holdAll(false);
        back = await stopping;
      } else {
        run = await d.startRun();
        const hold = d.holds.holdRun(run.executionId);
        await until("the run's send to reach the channel", async () => hold.seen());
        const stopping = stopStore(d.pg);
        // The channel fails the send while the store is down: its retry must wait for the store, not be lost.
        await sleep(500);
        hold.release(500);
        back = await stopping;
      }
    } finally {
      d.holds.holdAll(false);
      await admin.end({ timeout: 1 }).catch(() => {});
      await locker.end({ timeout: 1 }).catch(() => {});
    }
    runs.push({ ...run, storeBackAt: back.backAt });
    const deadline = Date.now() + 60_000;
    while (!d.firstAlertAt.has(run.executionId) && Date.now() < deadline) await sleep(100);
    const alerted = d.firstAlertAt.get(run.executionId);
    out.push({
      phase,
      executionId: run.executionId,
      alertedAfterReturnMs: alerted === undefined ? Number.NaN : alerted - back.backAt,
      alertedAfterRestartMs: alerted === undefined ? Number.NaN : alerted - back.restartedAt,
    });
    d.log(`db-stop-phases: ${phase}: ${alerted === undefined ? "not alerted within 60 s" : `alerted ${alerted - back.backAt} ms after PostgreSQL was back`}`);
  }
  return out;
}

/**
 * A run started and seen claimed while QRS is slow. One whose claim is not seen within 60 s (its datagram lost on a
 * loaded machine, or handled before the probe looked) stays among the judged runs and another is started; after
 * CLAIM_ATTEMPTS the scenario fails with what the store and the Stewards said of each.
 */
async function claimedRun(
  d: PhaseDeps,
  runs: ObservedRun[],
  claimed: (id: string) => Promise<boolean>,
  state: (id: string) => Promise<string>,
): Promise<ObservedRun> {
  const missed: string[] = [];
  for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
    const run = await d.startRun();
    if (await within(() => claimed(run.executionId), 60_000)) return run;
    const why = await state(run.executionId);
    d.log(`db-stop-phases: claimed: run ${run.executionId} not seen claimed within 60 s (attempt ${attempt}): ${why}`);
    missed.push(`${run.executionId}: ${why}`);
    runs.push(run);
  }
  throw new Error(`db-stop-phases: timed out waiting for the run's claim, ${CLAIM_ATTEMPTS} runs:\n${missed.join("\n")}`);
}
