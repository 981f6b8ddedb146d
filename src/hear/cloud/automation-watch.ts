// Watches one tenant's Qlik Automate automations at each poll of the tenant: the automation list (cursor paging, at
// most maxPages), then the runs of only those automations whose last run moved since the last look (at most
// runListsPerPoll a poll; the rest at the next). Each run that failed or finished with warnings, and each disable and
// re-enable, is claimed in the store before it is announced, so a restart or a second Steward says it once.
import type { Logger } from "pino";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import type { SiteEvent } from "../../platform/events/types";
import {
  type AutomationFeed,
  type AutomationInfo,
  type AutomationRunEnded,
  type AutomationRunInfo,
  automationRecoveredEvent,
  automationRunEvent,
  automationStateEvent,
  RUN_STATUS,
} from "./automation-events";
import type { AutomationStore } from "./automation-store";
import { runError } from "./run-error";
import { CloudApiError, type CloudClient } from "./cloud-client";
import type { CloudStore } from "./cloud-store";
import type { QlikCloudTenantConfig } from "./config";

type AutomationsConfig = NonNullable<QlikCloudTenantConfig["automations"]>;

/** An automation of the list (exported for the check against Qlik's published type). */
export const AutomationSchema = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1).max(200),
    name: z.string().max(1_000).nullish(),
    state: z.string().nullish(),
    runMode: z.string().nullish(),
    ownerId: z.string().nullish(),
    spaceId: z.string().nullish(),
    updatedAt: z.string().nullish(),
    lastRunAt: z.string().nullish(),
    lastRunStatus: z.string().nullish(),
  }),
);
/** A run of an automation (exported for the check against Qlik's published type). */
export const RunSchema = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1).max(200),
    status: z.string(),
    title: z.string().nullish(),
    context: z.string().nullish(),
    startTime: z.string().nullish(),
    stopTime: z.string().nullish(),
    scheduledStartTime: z.string().nullish(),
    createdAt: z.string().nullish(),
    executedById: z.string().nullish(),
    isTestRun: z.boolean().nullish(),
    testRun: z.boolean().nullish(),
    error: z.unknown().optional(),
  }),
);

/** Runs read per automation per look: the newest page. More runs than this between two looks are not all seen. */
const RUNS_PER_LIST = 100;
const USER_TTL_MS = 3_600_000;
/** Claims are kept 30 days; a run older than this when first read is not announced (its claim may be gone). */
const CLAIMS_KEPT_MS = 30 * 86_400_000;
const OLDEST_RUN_MS = 25 * 86_400_000;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

export interface AutomationWatchState {
  automations: number;
  disabled: number;
  /** What could not be read in the last poll (a key without the Tenant Admin role, a bad answer). */
  problem?: string;
  lastPollAt?: string;
}

export interface AutomationWatch {
  poll(nowMs: number, floorMs: number): Promise<void>;
  state(): AutomationWatchState;
  setProblem(problem: string): void;
}

interface WatchDeps {
  tenant: { name: string; url: string; maxPages: number };
  config: AutomationsConfig;
  client: CloudClient;
  store: CloudStore;
  claims: AutomationStore;
  clock: Clock;
  log: Logger;
  emit(e: SiteEvent): Promise<void>;
  /** Each automation seen and each run ended, for the freshness promises that wait on them. */
  feed?: AutomationFeed;
}

/**
 * The first page, with `listAll` unless the tenant refused it before: a tenant whose Automations API does not take the
 * parameter (HTTP 400) is asked without it from then on, and lists what the key's user may see.
 */
async function firstPage(d: WatchDeps, listAll: { refused: boolean }) {
  if (listAll.refused) return d.client.listAutomations(undefined, false);
  try {
    return await d.client.listAutomations(undefined, true);
  } catch (err) {
    if (!(err instanceof CloudApiError) || err.kind !== "refused") throw err;
    listAll.refused = true;
    d.log.warn(
      { tenant: d.tenant.name, err: err.message },
      "Qlik Cloud: the tenant refuses listAll on the automation list; only the key user's automations are listed",
    );
    return d.client.listAutomations(undefined, false);
  }
}

/** Every automation the key may list (cursor paging, at most maxPages pages), narrowed to `only`. */
async function listAutomations(d: WatchDeps, only: string[] | undefined, listAll: { refused: boolean }): Promise<AutomationInfo[]> {
  const out: AutomationInfo[] = [];
  let next: string | undefined;
  for (let pageNo = 0; pageNo < d.tenant.maxPages; pageNo++) {
    const page = next ? await d.client.listAutomations(next) : await firstPage(d, listAll);
    for (const raw of page.automations) {
      const a = AutomationSchema.safeParse(raw);
      if (!a.success) continue;
      const info = { ...a.data, name: a.data.name ?? a.data.id };
      if (only && !only.includes(info.id.toLowerCase()) && !only.includes(info.name.toLowerCase())) continue;
      out.push(info);
    }
    next = page.next;
    if (!next) return out;
  }
  d.log.warn(
    { tenant: d.tenant.name, maxPages: d.tenant.maxPages },
    "Qlik Cloud: the automation list stopped after maxPages pages; the rest are read at the next poll",
  );
  return out;
}

/** The owners' names and e-mail addresses (`GET /api/v1/users/{id}`), kept an hour; one that cannot be read is none. */
function ownerLookup(client: CloudClient) {
  const users = new Map<string, { at: number; user?: { name?: string | null; email?: string | null } }>();
  return async (id: string | null | undefined, now: number) => {
    if (!id) return undefined;
    const hit = users.get(id);
    if (hit && now - hit.at < USER_TTL_MS) return hit.user;
    const user = await client.getUser(id).catch(() => undefined);
    users.set(id, { at: now, ...(user ? { user } : {}) });
    return user;
  };
}

const runEnded = (tenant: string, a: AutomationInfo, r: { id: string; status: string }, ok: boolean, endedMs: number): AutomationRunEnded => ({
  tenant,
  automationId: a.id,
  automation: a.name,
  runId: r.id,
  status: r.status,
  ok,
  endedMs,
});

/** Runs Steward cannot judge, logged once each: a run not in Qlik's shape (per automation and field), a status Qlik does not document. */
function runShapeWarnings(log: Logger, tenant: string) {
  const logged = new Set<string>();
  const once = (key: string) => !logged.has(key) && Boolean(logged.add(key));
  return {
    unreadable(a: AutomationInfo, field: string): void {
      if (once(`${a.id}|${field}`))
        log.warn({ tenant, automation: a.name, field }, "Qlik Cloud: a run of this automation is not in the shape Qlik documents; it is not judged");
    },
    unknownStatus(a: AutomationInfo, status: string): void {
      if (once(status))
        log.warn(
          { tenant, automation: a.name, status },
          "Qlik Cloud: an automation run's status is not one Qlik documents (field status); its runs with it are not judged",
        );
    },
  };
}

/** What a run's status means here (undefined: not a status Qlik documents); a run that did not start but has a start or stop time failed. */
function meaningOf(r: z.infer<typeof RunSchema>) {
  const meaning = RUN_STATUS[r.status];
  if (meaning !== "not-started") return meaning;
  return ms(r.startTime) >= 0 || ms(r.stopTime) >= 0 ? "failed" : "pending";
}

/** Events claimed by a poll that stopped before announcing them (a crash, a store error) go out first. */
async function replayUnannounced(d: WatchDeps, name: string): Promise<void> {
  for (const p of await d.claims.unannounced(name)) {
    await d.emit(JSON.parse(p.event) as SiteEvent);
    await d.claims.markAnnounced(name, p.key);
  }
}

export function createAutomationWatch(d: WatchDeps): AutomationWatch {
  const name = d.tenant.name;
  let state: AutomationWatchState = { automations: 0, disabled: 0 };
  const only = d.config.only?.map((x) => x.toLowerCase());
  const fed = new Set<string>();
  const listAll = { refused: false };
  /** What waits on the automations is told; its failure is logged, never stops the watch (the events matter more). */
  const tell = (what: string, p: Promise<void> | undefined) =>
    p?.catch((err: unknown) => d.log.warn({ tenant: name, err: (err as Error).message }, `Qlik Cloud: could not record an automation's ${what}`));

  const owner = ownerLookup(d.client);
  /** What every event of an automation says of it: the tenant, the automation, its owner. */
  const about = async (a: AutomationInfo, now: number) => ({ tenant: d.tenant, automation: a, owner: await owner(a.ownerId, now), nowMs: now });
  const { unreadable, unknownStatus } = runShapeWarnings(d.log, name);

  async function announce(key: string, automationId: string, event: SiteEvent, now: number): Promise<void> {
    if (!(await d.claims.claim(name, key, automationId, now, JSON.stringify(event)))) return;
    await d.emit(event);
    await d.claims.markAnnounced(name, key);
  }

  /** Disabled: one event, kept open (in cloud_meta) until the automation is enabled again, which closes it with one more. */
  async function judgeState(a: AutomationInfo, now: number, floor: number): Promise<void> {
    const metaKey = `${name}:automation-disabled:${a.id}`;
    const open = (await d.store.getMeta(metaKey)) ?? "";
    const disabled = a.state === "disabled";
    if (disabled && open === "") {
      const at = a.updatedAt ?? new Date(now).toISOString();
      // Disabled before Steward's look-back (at its first start): known, not announced, and no "enabled" later either.
      const silent = ms(at) < floor;
      await d.store.setMeta(metaKey, `${silent ? "silent:" : ""}${at}`);
      if (!silent) await announce(`disabled:${a.id}:${at}`, a.id, automationStateEvent(await about(a, now), true, undefined), now);
    } else if (!disabled && open !== "") {
      await d.store.setMeta(metaKey, "");
      if (!open.startsWith("silent:"))
        await announce(`enabled:${a.id}:${a.updatedAt ?? now}`, a.id, automationStateEvent(await about(a, now), false, open), now);
    }
  }

  /**
   * A failure stays open (in cloud_meta) until a later run finishes, with or without warnings: that run closes it with
   * cloud.automation.recovered, once (what waits on the automation, a cause grouping its consequences, ends there).
   */
  async function judgeFailing(a: AutomationInfo, run: AutomationRunInfo, ok: boolean, now: number): Promise<void> {
    const metaKey = `${name}:automation-failing:${a.id}`;
    if (!ok) return d.store.setMeta(metaKey, run.id);
    const failed = (await d.store.getMeta(metaKey)) ?? "";
    if (failed === "") return;
    await d.store.setMeta(metaKey, "");
    await announce(`recovered:${run.id}`, a.id, automationRecoveredEvent(await about(a, now), run, failed), now);
  }

  /** The automation's newest runs: each ended run claimed once (announced when it failed or warned). True when all ended. */
  async function readRuns(a: AutomationInfo, now: number, floor: number): Promise<boolean> {
    let allEnded = true;
    // Oldest first: a failure, then the run that finished after it (the recovery), in the order they happened.
    const raw = [...(await d.client.automationRuns(a.id, RUNS_PER_LIST))].reverse();
    for (const item of raw) {
      const p = RunSchema.safeParse(item);
      if (!p.success) {
        const issue = p.error.issues[0]!;
        unreadable(a, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
        continue;
      }
      const r = p.data;
      // Test runs from the editor are the author's business, not a broken chain.
      if (r.context === "test_run" || r.isTestRun === true || r.testRun === true) continue;
      // A run that failed before it started has no start time: its stop, due or creation time places it instead.
      const when = [r.startTime, r.stopTime, r.scheduledStartTime, r.createdAt].map(ms).find(Number.isFinite);
      if (when !== undefined && !(when >= floor)) continue;
      const meaning = meaningOf(r);
      if (meaning === undefined) unknownStatus(a, r.status);
      if (meaning === undefined || meaning === "pending") {
        allEnded = false;
        continue;
      }
      const bad = meaning === "failed" || meaning === "warning";
      const { error, ...fields } = r;
      const run: AutomationRunInfo = { ...fields, ...runError(error) };
      const event = bad ? automationRunEvent({ ...(await about(a, now)), automationsPath: d.client.automationsPath() }, run) : undefined;
      const key = `run:${r.id}`;
      if (!(await d.claims.claim(name, key, a.id, now, event ? JSON.stringify(event) : null))) continue;
      const stop = ms(r.stopTime);
      const ok = meaning === "ok" || meaning === "warning";
      await tell("run", d.feed?.runEnded(runEnded(name, a, r, ok, Number.isFinite(stop) ? stop : now)));
      // Only a failure that was paged is open: a later finish recovers only what someone was told of.
      if (ok || meaning === "failed") await judgeFailing(a, run, ok, now);
      if (!event) continue;
      await d.emit(event);
      await d.claims.markAnnounced(name, key);
    }
    return allEnded;
  }

  return {
    async poll(now, firstFloor) {
      const floor = Math.max(firstFloor, now - OLDEST_RUN_MS);
      await replayUnannounced(d, name);
      const automations = await listAutomations(d, only, listAll);
      const moved: Array<{ a: AutomationInfo; cursorKey: string; cursor: string }> = [];
      for (const a of automations) {
        if (!fed.has(a.id)) {
          fed.add(a.id);
          await tell("existence", d.feed?.seen({ tenant: name, automationId: a.id, automation: a.name }));
        }
        await judgeState(a, now, floor);
        if (!a.lastRunAt || !(ms(a.lastRunAt) >= floor)) continue;
        const cursorKey = `${name}:automation-runs:${a.id}`;
        const cursor = `${a.lastRunAt}|${a.lastRunStatus ?? ""}`;
        if ((await d.store.getMeta(cursorKey)) !== cursor) moved.push({ a, cursorKey, cursor });
      }
      // Longest waiting first, so a busy tenant's quiet automations are not starved by a few that run every minute.
      moved.sort((x, y) => ms(x.a.lastRunAt) - ms(y.a.lastRunAt));
      for (const m of moved.slice(0, d.config.runListsPerPoll)) if (await readRuns(m.a, now, floor)) await d.store.setMeta(m.cursorKey, m.cursor);
      if (moved.length > d.config.runListsPerPoll)
        d.log.info({ tenant: name, waiting: moved.length - d.config.runListsPerPoll }, "Qlik Cloud: automations whose runs are read at the next poll");
      await d.claims.prune(now - CLAIMS_KEPT_MS);
      state = {
        automations: automations.length,
        disabled: automations.filter((a) => a.state === "disabled").length,
        lastPollAt: new Date(d.clock.now()).toISOString(),
      };
    },
    state: () => state,
    setProblem(problem) {
      state = { ...state, problem };
    },
  };
}

/**
 * Called by the tenant's watcher at each poll: a failure here (a key without the Tenant Admin role, a bad answer) is
 * kept on the automations' state and logged when it changes; it never stops the reloads' poll. A 429 is the tenant's
 * and is thrown on, so the whole tenant waits out its Retry-After.
 */
export async function pollAutomations(w: AutomationWatch, now: number, floor: number, log: Logger, tenant: string): Promise<void> {
  const before = w.state().problem;
  try {
    await w.poll(now, floor);
    if (before) log.info({ tenant }, "Qlik Cloud: the automations can be read again");
  } catch (err) {
    if (err instanceof CloudApiError && err.kind === "rate-limited") throw err;
    const problem = (err as Error).message;
    w.setProblem(problem);
    if (problem !== before)
      log.warn({ tenant, err: problem }, "Qlik Cloud: the automations could not be read (a Tenant Admin's key lists them; see docs/qlik-cloud.md)");
  }
}
