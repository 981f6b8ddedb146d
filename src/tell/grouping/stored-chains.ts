// The chain graph of the watchdog's QRS plan, kept in the store: with one Steward per node the Steward that hears a
// failure (its node's datagrams) is often not the one whose watchdog read the plan (the watchdog lease). The watchdog's
// Steward writes the plan when it changed; every Steward reads it back when its digest changed, so each builds the graph
// once per plan, and asks the store at most every CHECK_EVERY_MS while alerts flow.
import { createHash } from "node:crypto";
import type { SqlDb } from "../../platform/store/sql";
import { buildChainGraph, type ChainGraph, type PlannedChains } from "./chain-graph";

/** How long a Steward goes on with the graph it holds before it asks whether another Steward wrote a newer plan. */
const CHECK_EVERY_MS = 10_000;
/** One QRS site per store: the row's key. */
const SITE = "qrs";

type PlannedTask = PlannedChains["tasks"] extends ReadonlyMap<string, infer T> ? T : never;
type PlannedApp = PlannedChains["apps"] extends ReadonlyMap<string, infer A> ? A : never;

/** What the graph needs of the plan, in a stable order (a plan re-read in another order is the same plan). */
function kept(plan: PlannedChains): { tasks: PlannedTask[]; apps: PlannedApp[] } {
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    tasks: [...plan.tasks.values()]
      .map((t) => ({
        id: t.id,
        name: t.name,
        enabled: t.enabled,
        ...(t.appId ? { appId: t.appId } : {}),
        chains: t.chains.map((c) => ({ upstreamIds: c.upstreamIds, ruleStates: c.ruleStates })),
      }))
      .sort(byId),
    apps: [...plan.apps.values()].map((a) => ({ id: a.id, name: a.name, ...(a.stream ? { stream: a.stream } : {}) })).sort(byId),
  };
}

export interface StoredChains {
  /** Keeps the watchdog's new plan (written only when it differs from the stored one); this Steward's graph follows it. */
  note(plan: PlannedChains, now: number): Promise<void>;
  /** Reads the stored plan again if another Steward wrote a newer one (at most every CHECK_EVERY_MS). */
  refresh(now: number): Promise<void>;
  graph(): ChainGraph | undefined;
}

export function createStoredChains(db: SqlDb): StoredChains {
  let held: { digest: string; graph: ChainGraph } | undefined;
  let checkedAt: number | undefined;
  const storedDigest = async () => (await db.get<{ digest: string }>("SELECT digest FROM cause_chain_plan WHERE site = ?", [SITE]))?.digest;

  return {
    async note(plan, now) {
      const text = JSON.stringify(kept(plan));
      const digest = createHash("sha256").update(text).digest("hex");
      if ((await storedDigest()) !== digest)
        await db.run(
          `INSERT INTO cause_chain_plan (site, digest, plan, read_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (site) DO UPDATE SET digest = excluded.digest, plan = excluded.plan, read_at = excluded.read_at`,
          [SITE, digest, text, now],
        );
      if (held?.digest !== digest) held = { digest, graph: buildChainGraph(plan) };
      checkedAt = now;
    },
    async refresh(now) {
      // A clock set back counts as time passed: the check is not put off until the clock catches up.
      if (checkedAt !== undefined && now >= checkedAt && now - checkedAt < CHECK_EVERY_MS) return;
      checkedAt = now;
      const digest = await storedDigest();
      if (digest === undefined || digest === held?.digest) return;
      const row = await db.get<{ digest: string; plan: string }>("SELECT digest, plan FROM cause_chain_plan WHERE site = ?", [SITE]);
      if (!row) return;
      const stored = JSON.parse(row.plan) as ReturnType<typeof kept>;
      const plan: PlannedChains = { tasks: new Map(stored.tasks.map((t) => [t.id, t])), apps: new Map(stored.apps.map((a) => [a.id.toLowerCase(), a])) };
      held = { digest: row.digest, graph: buildChainGraph(plan) };
    },
    graph: () => held?.graph,
  };
}
