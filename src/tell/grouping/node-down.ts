// The node-down rule: a Qlik service stopping on a node opens the node's cause (that alert is the "opened" page);
// while it is open, what that node misses, fails or runs too long is a symptom (recorded, not sent). Each symptom's
// end (service.started, task.on_track, task.recovered) updates the parent; the last one is the "recovered" page.
import type { GroupingConfig } from "./config";
import type { DomainEvent, TaskEvent } from "../../platform/events/types";
import { isServiceEvent, isTaskEvent, isWatchdogEvent, type WatchdogEvent } from "../../platform/events/types";
import type { CauseStore, SymptomInput } from "./cause-store";
import { afterRecovery, type CauseDecision, symptomReason } from "./decision";
import { createFailingNodes } from "./failing-node";
import type { TaskNodes } from "./task-nodes";
import type { SilentNodes } from "./silent-node";
import { compileGlob } from "../../platform/core/glob";

/**
 * The node part of a host name: a Scheduler may say qlik2 where QRS says qlik2.corp.example. An IP address is kept
 * whole (its first label, "127" or "10", names no node).
 */
export function nodeOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":")) return h.replace(/^\[|\]$/g, "");
  return h.split(".")[0] ?? "";
}

/**
 * What a node back up ends: starts that did not come, runs it did not finish in time, apps it left as they were,
 * reloads outside the Scheduler that failed on it (whoever started them starts them again; no task recovers them), and
 * the freshness promises it put at risk (the over page names them; their breach and recovery fold in: late-freshness.ts).
 */
const OVER_WHEN_BACK = new Set([
  "task.missed",
  "task.chain_broken",
  "task.running_long",
  "app.stale",
  "app.reload_failed",
  "app.freshness_warning",
  "app.freshness_breached",
]);
/** How long after a node's cause ended a start that fell due in it may still be found missing (a look, a grace). */
const LATE_WITHIN_MS = 6 * 3_600_000;
/** A start due in the minute the node came back had no Scheduler to start it either. */
const LATE_SLACK_MS = 60_000;

export function createNodeDownRule(store: CauseStore, cfg: GroupingConfig["nodeDown"], nodes: TaskNodes, silent: SilentNodes) {
  const taskNodes = nodes;
  const services = cfg.services.map(compileGlob);
  const cause = (node: string) => ({ key: `node:${node}`, title: `Qlik services down on ${node}` });
  const failing = createFailingNodes(cfg.failingRuns);
  const failingClasses = new Set<string>(cfg.failingRuns.classes);
  const symptom = (parentId: number, node: string): CauseDecision => ({ action: "suppress", parentId, reason: symptomReason(parentId, cause(node).title) });
  /** A node's cause opened: it lists everything the node runs (what it would have run while down) from the start. */
  const opening = async (parentId: number, node: string, eventId: string, now: number): Promise<CauseDecision> => {
    await store.addWaiting(parentId, await nodes.waitingOn(node, eventId), now);
    return { action: "pass", parentId };
  };
  /** The node whose open cause a watchdog alert belongs to: its host's, else the node its task last ran on. */
  const openNodeFor = async (e: DomainEvent): Promise<string | undefined> => {
    const node = nodeOf(e.host);
    if (await store.isOpen(cause(node).key)) return node;
    const last = "task" in e && e.task ? await nodes.nodeOf(e.task.id) : undefined;
    return last !== undefined && last !== node && (await store.isOpen(cause(last).key)) ? last : undefined;
  };
  /**
   * The node's services are all back: the cause is over, and its recovered page says so now (listing what the node
   * did not run), not the next night when the missed tasks run again. What it left behind folds in (upstream.ts).
   */
  const nodeBack = async (touched: Awaited<ReturnType<CauseStore["recover"]>>, now: number): Promise<CauseDecision | undefined> => {
    for (const t of touched) {
      if (t.closed) continue;
      const parent = await store.get(t.parentId);
      if (!parent?.causeKey.startsWith("node:")) continue;
      // A failed run stays a failure until its task succeeds: the cause waits for it (its recovery is then the page).
      const open = (await store.symptoms(t.parentId)).filter((s) => s.state === "open");
      if (open.some((s) => !OVER_WHEN_BACK.has(s.kind))) continue;
      if (await store.closeOver(t.parentId, now)) return { action: "pass", parentId: t.parentId };
    }
    return undefined;
  };
  /**
   * A start that fell due while the node was down and is found missing only after it came back (a chain whose upstream
   * ended in the outage's last minutes): the ended cause's, listed there, not paged.
   */
  const lateOnNode = async (e: WatchdogEvent, now: number): Promise<CauseDecision | undefined> => {
    const due = Date.parse(String(e.data.expectedAt ?? ""));
    if ((e.kind !== "task.missed" && e.kind !== "task.chain_broken") || !e.task || !Number.isFinite(due)) return undefined;
    const nodes = [nodeOf(e.host), await taskNodes.nodeOf(e.task.id)].filter((n): n is string => n !== undefined);
    for (const node of new Set(nodes)) {
      const ended = await store.lastClosed(cause(node).key, now - LATE_WITHIN_MS);
      if (!ended || ended.closedAt === null || due < ended.openedAt || due > ended.closedAt + LATE_SLACK_MS) continue;
      await store.listInClosed(ended.id, { subject: `watch:${e.condition.key}`, kind: e.kind, eventId: e.id, taskId: e.task.id, ...names(e) }, now);
      return {
        action: "suppress",
        parentId: ended.id,
        reason: `fell due while ${node} was down (cause #${ended.id}, which has ended): listed there, not sent`,
      };
    }
    return undefined;
  };
  /**
   * Two or more tasks that last ran on a node missed their starts together and nothing was heard from the node since
   * the first was due: the node is the cause ("no task starts on …"), this missed start its page, the others its
   * symptoms. For a Scheduler QRS still reports running (a hung one, a node cut off from the Repository's view).
   */
  const silentNode = async (e: WatchdogEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> => {
    if (e.kind !== "task.missed" || !e.task) return undefined;
    const node = await taskNodes.nodeOf(e.task.id);
    if (node === undefined) return undefined;
    const together = await silent.missedOn(node, e);
    if (!together) return undefined;
    const ref = { key: cause(node).key, title: `no task starts on ${node}` };
    const entry = (m: WatchdogEvent) => ({
      subject: `watch:${m.condition.key}`,
      kind: m.kind,
      eventId: m.id,
      ...(m.task ? { taskId: m.task.id } : {}),
      ...names(m),
    });
    // This missed start opens it (and is its page); the ones before it join.
    const opened = await store.attach(ref, entry(e), now, pageTo);
    for (const m of together) if (m.event !== e) await store.attach(ref, entry(m.event), now);
    return opened.opened ? opening(opened.parentId, node, e.id, now) : symptom(opened.parentId, node);
  };
  /** A run heard again from a node whose cause opened on its silence alone: the node is back, the cause over. */
  const heardAgain = async (node: string, now: number): Promise<CauseDecision | undefined> => {
    const open = await store.openByKey(cause(node).key);
    if (!open?.title.startsWith("no task starts on ")) return undefined;
    const left = (await store.symptoms(open.id)).filter((s) => s.state === "open");
    if (left.some((s) => !OVER_WHEN_BACK.has(s.kind))) return undefined;
    return (await store.closeOver(open.id, now)) ? { action: "pass", parentId: open.id } : undefined;
  };
  return {
    /** `pageTo` is kept only with a parent this event opens and pages (a service stopping); a symptom never opens one as its page. */
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!cfg.enabled) return undefined;
      const node = nodeOf(e.host);
      if (isServiceEvent(e)) {
        if (!services.some((g) => g.test(e.service.name))) return undefined;
        const subject = `service:${node}|${e.service.name.toLowerCase()}`;
        if (e.kind === "service.stopped") {
          const { parentId, opened } = await store.attach(
            cause(node),
            // A service is the node's, not a task: the symptom names none (the cause's title names the node).
            { subject, kind: e.kind, eventId: e.id },
            now,
            pageTo,
          );
          return opened ? opening(parentId, node, e.id, now) : symptom(parentId, node);
        }
        const touched = await store.recover(subject, now);
        return (await nodeBack(touched, now)) ?? afterRecovery(touched);
      }
      if (isWatchdogEvent(e)) {
        const subject = `watch:${e.condition.key}`;
        if (e.kind === "task.on_track") return afterRecovery(await store.recover(subject, now));
        if (e.kind === "app.stale") return undefined;
        const down = await openNodeFor(e);
        if (down === undefined) return (await lateOnNode(e, now)) ?? (await silentNode(e, now, pageTo));
        const { parentId } = await store.attach(
          cause(down),
          { subject, kind: e.kind, eventId: e.id, ...(e.task ? { taskId: e.task.id } : {}), ...names(e) },
          now,
        );
        return symptom(parentId, down);
      }
      if (!isTaskEvent(e)) return undefined;
      // A reload outside the Scheduler that failed is its own cause, unless its node's cause (open now) explains it.
      if (e.kind === "app.reload_failed")
        return (await store.isOpen(cause(node).key)) ? symptom((await store.attach(cause(node), taskSymptom(e), now)).parentId, node) : undefined;
      if (e.kind === "task.succeeded" || e.kind === "task.failed" || e.kind === "task.aborted") {
        await nodes.note(node, e, now);
        await silent.heard(node, now);
        const back = await heardAgain(node, now);
        if (back) return back;
      }
      if (e.kind === "task.succeeded") failing.record(node, `task:${e.task.id.toLowerCase()}`, "succeeded", now);
      if ((e.kind === "task.failed" || e.kind === "task.aborted") && (await store.isOpen(cause(node).key)))
        return symptom((await store.attach(cause(node), taskSymptom(e), now)).parentId, node);
      return undefined;
    },
    /**
     * A failure no other rule grouped: when every run the node ended in the window failed (at least
     * failingRuns.minTasks tasks), the node is the cause and this failure, the one that tipped it, is its page.
     */
    async onUngroupedFailure(e: TaskEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!cfg.enabled || !e.errorClass || !failingClasses.has(e.errorClass)) return undefined;
      const node = nodeOf(e.host);
      if (!failing.record(node, `task:${e.task.id.toLowerCase()}`, "failed", now)) return undefined;
      const { parentId, opened } = await store.attach({ key: `node:${node}`, title: `every run fails on ${node}` }, taskSymptom(e), now, pageTo);
      return opened ? opening(parentId, node, e.id, now) : symptom(parentId, node);
    },
  };
}

function taskSymptom(e: TaskEvent): SymptomInput {
  return {
    subject: `task:${e.task.id.toLowerCase()}`,
    kind: e.kind,
    eventId: e.id,
    runId: e.executionId,
    taskId: e.task.id,
    ...(e.app ? { appId: e.app.id } : {}),
    ...names(e),
  };
}

function names(e: { task?: { name: string }; app?: { name: string; stream?: string } }) {
  return {
    ...(e.task ? { taskName: e.task.name } : {}),
    ...(e.app ? { appName: e.app.name } : {}),
    ...(e.app?.stream ? { stream: e.app.stream } : {}),
  };
}
