// Incidents per cause: failures sharing a cause (same error class, same source) become symptoms of one parent that
// pages when it opens and when its last symptom recovers. `causes` is the small API other modules may call to attach
// their own symptoms (a freshness promise's breach) to a cause.
import type { GroupingConfig } from "./config";
import type { Router } from "../../platform/http/route";
import type { DomainEvent } from "../../platform/events/types";
import { composeGates, type DeliveryGate } from "../notify/gate";
import { createFollowUps } from "./follow-ups";
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";
import { createCauseStore, type CauseRef, type ParentRow, type SymptomInput } from "./cause-store";
import type { PlannedChains } from "./chain-graph";
import { createStoredChains } from "./stored-chains";
import { createGroupingGate, type GroupingGateDeps } from "./gate";
import { createTaskNodes } from "./task-nodes";
import { createSilentNodes } from "./silent-node";
import type { CheckFeeds } from "./upstream";
import { type CloudTenantTasks, createCloudChains } from "./cloud-chains";
import type { PromiseRef } from "./promises-at-risk";
import { type HeldCauses, registerCauseRoutes, type ScriptLogLookup } from "./routes";
import type { BeingDoneReader } from "./being-done";
import { createCauseAcknowledger, type CauseAcknowledger } from "./cause-acknowledge";
import { createTaskHolders, type TaskHolder } from "./task-holder";
import type { Receiver } from "./reach";
import type { CauseTrying } from "./summary";
import type { OpenAlerts } from "./earlier-alerts";
import type { HeldBy } from "../incidents/remediation-holds";

export type { CauseTrying } from "./summary";
export type { EarlierAlert, OpenAlerts } from "./earlier-alerts";

export { groupingMigrations } from "./migrations";
export type { CauseRef, SymptomInput, ParentRow, SymptomRow } from "./cause-store";
export type { HeldCauses, ParentView, ScriptLogLookup } from "./routes";
export type { BeingDoneItem, BeingDoneReader, CauseBeingDone, CauseScope, DoneItem } from "./being-done";
export type { PlannedChains } from "./chain-graph";
export type { CloudTenantTasks } from "./cloud-chains";
export type { CheckFeeds } from "./upstream";
export type { PromiseRef } from "./promises-at-risk";
export { promisesHeld } from "./promises-at-risk";
export type { CauseAcknowledger } from "./cause-acknowledge";
export type { TaskHolder } from "./task-holder";

export interface Causes {
  /** Attaches a symptom to the open parent of a cause (opening it when none is); `opened`: this call opened it, so page. */
  attach(cause: CauseRef, symptom: SymptomInput, now: number): Promise<{ parentId: number; opened: boolean }>;
  /** The subject recovered; a parent left without open symptoms closes (`closed` true for the one call that closed it). */
  recover(subject: string, now: number): Promise<Array<{ parentId: number; remaining: number; closed: boolean }>>;
}

export interface Grouping {
  causes: Causes;
  /** Who is on a cause: the incidents service acknowledges a cause and the task incidents it holds together. */
  acknowledgements: CauseAcknowledger;
  gate: DeliveryGate;
  /**
   * An alert a silence held went out when it ended (on this channel, to this recipient): its follow-up goes there too.
   * Recorded in `tx`, the transaction that makes the alert pending.
   */
  released(event: DomainEvent, to: { channel: string; recipient: string }, now: number, tx: SqlExecutor): Promise<void>;
  /**
   * The cause holding one of these tasks up (earlier ids first): open, else ended at or after `sinceMs`. The freshness
   * judge names it as what stops a promised chain (wired by the composition root: watch/ does not read tell/'s tables).
   */
  holderOf(taskIds: readonly string[], sinceMs: number): Promise<TaskHolder | undefined>;
  /**
   * A page of the cause held by a silence since `since`, the silence over: `paged` when a page of the cause reached this
   * receiver after it was held (another held page of it, released first), `ended` when the cause is closed (or
   * unknown), else `send`.
   */
  causePage(id: number, to: Receiver, since: number): Promise<"send" | "paged" | "ended">;
  /** Whether the cause (a parent) is still open; undefined when there is no such cause. */
  isCauseOpen(id: number): Promise<boolean | undefined>;
  /** A cause by id (a link naming it, its escalation timer); undefined when there is no such cause. */
  cause(id: number): Promise<ParentRow | undefined>;
  /**
   * Keeps the watchdog's new QRS plan (its chains) in the store, where the Steward that hears a failure reads it (with
   * one Steward per node, maybe not the one running the watchdog).
   */
  notePlan(plan: PlannedChains, now: number): Promise<void>;
  /**
   * Keeps the watchdog's last look at a Qlik Cloud tenant's tasks (their chains) in the store, where the Steward that
   * hears a failed Cloud reload reads them (in a cluster, maybe not the one running the watchdog).
   */
  noteCloudTasks(tenant: CloudTenantTasks, now: number): Promise<void>;
  /**
   * Approved remediation (built after the gates, so wired late): whether an event ends the run of a person's action
   * whose outcome is not told yet; such a symptom goes to the cause's page's receivers instead of being held.
   */
  tellActionsFrom(endsAnAction: (e: DomainEvent) => Promise<boolean>, causeOfRun?: (e: DomainEvent) => Promise<number | undefined>): void;
  /** Gives GET /v4/causes/{id} the symptoms' script logs: the dashboard's timeline (built after the gates, so wired late). */
  readScriptLogsFrom(index: () => ScriptLogLookup): void;
  /** Names on a cause's pages what a remediation rule is trying for it (src/start/remediation, built after the gates). */
  readTryingFrom(trying: CauseTrying): void;
  /**
   * The tasks (lower-case ids) whose failure a retry or re-run holds, and whether a rule or a person asked for it
   * (src/start/remediation, built after the gates): a cause holds its symptoms while one of its failures is so held
   * (a rule's hold while none of the cause's pages went out yet).
   */
  readHeldFrom(held: () => Promise<ReadonlyMap<string, HeldBy>>): void;
  /**
   * Tells Steward's own runs (remediation's, built after the gates): one the queue cancels while no backlog cause is
   * open or just ended opens none (nothing would close it), and is paged as its task's own failure.
   */
  readOwnRunsFrom(ownRun: (executionId: string) => Promise<boolean>): void;
  /** Gives GET /v4/causes what is being done about each cause and each action's outcome (remediation, built after the gates). */
  readBeingDoneFrom(reader: BeingDoneReader): void;
}

export interface GroupingDeps {
  db: SqlDb;
  router: Router;
  /** What a check-in job feeds (checkins.checks.<name>.feeds). */
  feedsOfCheck(check: string): CheckFeeds | undefined;
  /** The freshness promises, named on a cause's pages when it affects one of their apps. */
  promises?: () => readonly PromiseRef[];
  /** http.publicUrl: alerts link to the cause on the dashboard. */
  publicUrl?: string;
  /** The freshness promises' open alerts: a cause that opens after one it explains takes it in (earlier-alerts.ts). */
  openAlerts?: OpenAlerts;
  /** The maintenance window holding an event, as the reason of a cause's page it holds (src/tell/maintenance). */
  windowHold?: GroupingGateDeps["windowHold"];
  /** Of these events, those inside a maintenance window lasting now: a cause's page names only what is outside. */
  insideWindows?: GroupingGateDeps["insideWindows"];
  /** The window holding each cause's page now, shown on GET /v4/causes (src/tell/maintenance). */
  heldCauses?: HeldCauses;
}

export function setupGrouping(cfg: GroupingConfig, deps: GroupingDeps): Grouping {
  const store = createCauseStore(deps.db);
  let scriptLogs: (() => ScriptLogLookup) | undefined;
  let trying: CauseTrying | undefined;
  let held: (() => Promise<ReadonlyMap<string, HeldBy>>) | undefined;
  let beingDone: BeingDoneReader | undefined;
  registerCauseRoutes(
    deps.router,
    store,
    () => scriptLogs?.(),
    () => beingDone,
    deps.heldCauses,
  );
  const chains = createStoredChains(deps.db);
  const cloudChains = createCloudChains(deps.db);
  const followUps = createFollowUps(deps.db);
  let endsAnAction: ((e: DomainEvent) => Promise<boolean>) | undefined;
  let causeOfRun: ((e: DomainEvent) => Promise<number | undefined>) | undefined;
  let ownRun: ((executionId: string) => Promise<boolean>) | undefined;
  const gate = createGroupingGate(store, cfg, {
    alsoReceived: followUps.causeReceivers,
    endsAnAction: (e) => endsAnAction?.(e) ?? Promise.resolve(false),
    causeOfRun: (e) => causeOfRun?.(e) ?? Promise.resolve(undefined),
    ownRun: (id) => ownRun?.(id) ?? Promise.resolve(false),
    trying: () => trying,
    heldTasks: () => held?.() ?? Promise.resolve(new Map<string, HeldBy>()),
    taskNodes: createTaskNodes(deps.db),
    silentNodes: createSilentNodes(deps.db),
    graph: chains.graph,
    refreshChains: chains.refresh,
    cloudChains,
    feedsOfCheck: deps.feedsOfCheck,
    ...(deps.promises ? { promises: deps.promises } : {}),
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.openAlerts ? { openAlerts: deps.openAlerts } : {}),
    ...(deps.windowHold ? { windowHold: deps.windowHold } : {}),
    ...(deps.insideWindows ? { insideWindows: deps.insideWindows } : {}),
  });
  return {
    causes: { attach: store.attach, recover: store.recover },
    acknowledgements: createCauseAcknowledger(deps.db),
    // After the cause is decided: a follow-up goes only where the page it follows went on its own.
    gate: composeGates([gate, followUps.gate]),
    released: followUps.released,
    holderOf: createTaskHolders(deps.db).holderOf,
    cause: (id) => store.get(id),
    async causePage(id, to, since) {
      const p = await store.get(id);
      if (p?.status !== "open") return "ended";
      return (await followUps.receivedSince(`cause:${id}`, to, since)) ? "paged" : "send";
    },
    isCauseOpen: async (id) => {
      const p = await store.get(id);
      return p === undefined ? undefined : p.status === "open";
    },
    notePlan: chains.note,
    noteCloudTasks: cloudChains.note,
    tellActionsFrom(fn, causeFn) {
      endsAnAction = fn;
      causeOfRun = causeFn;
    },
    readScriptLogsFrom(index) {
      scriptLogs = index;
    },
    readTryingFrom(t) {
      trying = t;
    },
    readHeldFrom(fn) {
      held = fn;
    },
    readOwnRunsFrom(fn) {
      ownRun = fn;
    },
    readBeingDoneFrom(reader) {
      beingDone = reader;
    },
  };
}
