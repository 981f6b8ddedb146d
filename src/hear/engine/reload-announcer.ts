// What happens to one reload heard from the Engine once its lines are in: judged (the Scheduler's, or outside it and
// then alerted or not), enriched from QRS and the script log, recorded, and announced on the bus. The claim is taken
// by the caller; every step after it is recorded in the store, so a crash resumes where it stopped.
import type { Logger } from "pino";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Counter } from "../../platform/core/metrics";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { linksFor, scriptLogExcerpt } from "../events/enrich-mappers";
import type { EngineReloadsConfig } from "./config";
import { readApp } from "./reload-enrich";
import { createUserCheck, shownUser } from "../events/user-check";
import { unverifiedText } from "../../platform/events/unverified-text";
import { engineReloadEvent } from "./reload-event";
import type { ReloadJudge } from "./reload-judge";
import type { EngineReloadStore, Judgement } from "./reload-store";
import type { FinishedReload } from "./reload-tracker";
import { readReloadScriptLog, scriptLogDirFor } from "./script-log-file";
import type { SiteNodes } from "./site-nodes";
import { createReloadPageBudget } from "./reload-page-budget";
import { confirmEngineSuccess } from "./success-confirmation";

export interface AnnouncerDeps {
  cfg: EngineReloadsConfig;
  judge: ReloadJudge;
  store: EngineReloadStore;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  qrs?: QrsClient;
  nodes: SiteNodes;
  links: { qmcUrl?: string; hubUrl?: string; appBaseUrl?: string };
  lookupTimeoutMs: number;
  /** steward_engine_reloads_total{outcome, verdict}. */
  verdicts: Counter;
}

type AppFacts = {
  app?: NonNullable<TaskEvent["app"]>;
  lastReloadMs?: number;
  missing: Array<{ item: string; reason: string }>;
  unknown?: string;
  /** The node's host name and the user as QRS lists them (else as the line said, marked unverified), shown instead of what the line said. */
  node?: string;
  user?: string;
  userName?: string;
};

/** Accounts of Qlik's own directory (INTERNAL\sa_…): paged even when QRS does not list them, shown unverified. */
const isInternal = (user: string) => user.toUpperCase().startsWith("INTERNAL\\");

export function createReloadAnnouncer(d: AnnouncerDeps) {
  const { cfg, store, log } = d;
  const count = (run: FinishedReload, verdict: string) => d.verdicts.inc({ outcome: run.outcome, verdict });
  const budget = createReloadPageBudget(cfg.pageBudget, d.clock, log);
  const appRef = (a: NonNullable<TaskEvent["app"]> | undefined): Judgement["app"] =>
    a ? { name: a.name, ...(a.stream ? { stream: a.stream } : {}), ...(a.published !== undefined ? { published: a.published } : {}) } : undefined;

  const users = d.qrs ? createUserCheck(d.qrs, d.clock, d.lookupTimeoutMs) : undefined;

  async function appFacts(run: FinishedReload): Promise<AppFacts> {
    // Without QRS nothing the line says can be checked: its node and user are shown as unverified text.
    const unverified = { node: unverifiedText(run.node), ...(run.user ? { user: unverifiedText(run.user) } : {}) };
    if (!d.qrs || !users) return { missing: [{ item: "qrs", reason: "qlik is not configured: the app's name, stream and owner are unknown" }], ...unverified };
    const [read, known, user] = await Promise.all([
      readApp(d.qrs, run.appId, d.lookupTimeoutMs),
      d.nodes.known(run.node),
      run.user ? users.check(run.user) : undefined,
    ]);
    if (known === false) return { missing: [], unknown: `no node of the site is called ${run.node} (QRS servernodeconfiguration): ignored` };
    // A person's account QRS does not list is a forged line. Qlik's own INTERNAL accounts are checked too, but one QRS
    // does not list still has its failure paged (it may be a service account of a newer release), named as unverified.
    if (user?.known === false && !isInternal(run.user)) return { missing: [], unknown: `QRS has no user ${run.user}: ignored (a forged line)` };
    const shown = {
      node: known ?? unverified.node,
      ...(run.user ? { user: shownUser(run.user, user) } : {}),
      ...(user?.known && user.name ? { userName: user.name } : {}),
    };
    if (read.ok) return { app: read.app, ...(read.lastReloadMs !== undefined ? { lastReloadMs: read.lastReloadMs } : {}), missing: [], ...shown };
    if (read.notFound) return { missing: [], unknown: "QRS has no such app: ignored (a deleted app, or a forged line)" };
    return { missing: [{ item: "app", reason: read.reason }], ...shown };
  }

  async function scriptLogOf(run: FinishedReload, missing: AppFacts["missing"]) {
    const dir = scriptLogDirFor(cfg.scriptLogDirs, run.node);
    if (dir === undefined) return undefined;
    const r = await readReloadScriptLog(dir, run, cfg.scriptLog.maxBytes);
    if (!r.ok) {
      missing.push({ item: "scriptLog", reason: r.reason });
      return undefined;
    }
    return scriptLogExcerpt(r.text, cfg.scriptLog.headLines, cfg.scriptLog.tailLines, cfg.scriptLog.maxBytes);
  }

  async function announce(run: FinishedReload, event: TaskEvent, j: Judgement): Promise<void> {
    await store.judged(run.key, j, JSON.stringify(event));
    await d.bus.emit(event.kind, event);
    await store.markAnnounced(run.key);
  }

  /** Judges a claimed reload and announces what is to be announced. */
  async function judgeAndAnnounce(run: FinishedReload): Promise<void> {
    let bySchedule: string | undefined;
    try {
      bySchedule = await d.judge.bySchedulerOf(run);
    } catch (err) {
      log.warn({ appId: run.appId, err: (err as Error).message }, "cannot ask QRS whether the Scheduler ran this reload; judged as outside it");
    }
    if (bySchedule) {
      count(run, "scheduler");
      return store.judged(run.key, { byScheduler: true, alerted: false, confirmed: true, reason: bySchedule }, undefined);
    }
    const facts = await appFacts(run);
    if (facts.unknown) {
      count(run, "unknown");
      log.warn({ node: run.node, appId: run.appId, user: run.user, why: facts.unknown }, "Engine reload line ignored");
      return store.judged(run.key, { byScheduler: false, alerted: false, confirmed: false, reason: facts.unknown }, undefined);
    }
    const now = d.clock.now();
    const links = linksFor(d.links.qmcUrl, d.links.hubUrl, run.appId, d.links.appBaseUrl);
    // The node and user as QRS lists them, not as the line spelled them.
    const shownRun = { ...run, ...(facts.node ? { node: facts.node } : {}), ...(facts.user ? { user: facts.user } : {}) };
    const base = {
      run: shownRun,
      app: facts.app,
      missing: facts.missing,
      nowMs: now,
      ...(links ? { links } : {}),
      ...(facts.userName ? { userName: facts.userName } : {}),
    };
    if (run.outcome === "succeeded") {
      const unconfirmed = await confirmEngineSuccess(
        run,
        { appKnown: facts.app !== undefined, lastReloadMs: facts.lastReloadMs },
        { judge: d.judge, log, nowMs: now },
      );
      const confirmed = unconfirmed === undefined;
      const held = budget.take(run);
      if (held) {
        count(run, "over_budget");
        return store.judged(run.key, { byScheduler: false, alerted: false, confirmed, reason: held, app: appRef(facts.app) }, undefined);
      }
      const event = engineReloadEvent({ ...base, reason: "a successful reload" });
      if (unconfirmed) event.unconfirmed = unconfirmed;
      count(run, confirmed ? "fresh" : "unconfirmed");
      return announce(run, event, {
        byScheduler: false,
        alerted: false,
        confirmed,
        reason: confirmed ? "fresh data (QRS lastReloadTime)" : event.unconfirmed!.reason,
        app: appRef(facts.app),
      });
    }
    const decision = d.judge.alertFor(run.user, facts.app?.published ?? undefined);
    if (!decision.alert) {
      count(run, "not_alerted");
      return store.judged(run.key, { byScheduler: false, alerted: false, confirmed: true, reason: decision.reason, app: appRef(facts.app) }, undefined);
    }
    const spent = budget.take(run);
    if (spent) {
      count(run, "over_budget");
      return store.judged(run.key, { byScheduler: false, alerted: false, confirmed: true, reason: spent, app: appRef(facts.app) }, undefined);
    }
    const scriptLog = await scriptLogOf(run, facts.missing);
    const event = engineReloadEvent({ ...base, reason: decision.reason, ...(scriptLog ? { scriptLog } : {}) });
    count(run, "alerted");
    budget.alerted(run);
    return announce(run, event, { byScheduler: false, alerted: true, confirmed: true, reason: decision.reason, app: appRef(facts.app) });
  }

  /** A claimed reload whose event was stored but not announced (a crash in between): announced now. */
  async function announceStored(key: string, event: string): Promise<void> {
    const e = JSON.parse(event) as TaskEvent;
    await d.bus.emit(e.kind, e);
    await store.markAnnounced(key);
  }

  return { judgeAndAnnounce, announceStored, stop: () => budget.stop() };
}
