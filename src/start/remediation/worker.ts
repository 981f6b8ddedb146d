// Carries out due remediation actions: claims each in the store (one Steward of a cluster wins), then starts the
// task through the one TaskStarter (the start allowlist and the task.start audit apply), and records what Qlik
// answered. A Steward that takes over an action whose claimer stopped mid-way first asks QRS whether the task ran
// since that Steward looked: if so, the start had reached Qlik and the run is adopted, never started twice.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { createSerialLook } from "../../platform/core/serial-look";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import { FINAL_EXECUTION_STATUSES, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { IncidentService } from "../../tell/incidents";
import type { TaskStarter } from "../control/types";
import type { ActionStore, Claim, RemediationAction } from "./action-store";
import { type AppReloadPort, followEngineReloads, startEngineReload } from "./engine-reload";
import { type EnginePort, type EngineRoom, roomFound } from "./engine-room";
import type { QueuePort } from "./queue-port";
import { readiness } from "./readiness";
import { rerunNotNeeded } from "./rerun-needed";
import { endWaitedOut } from "./waited-out";

export interface WorkerDeps {
  store: ActionStore;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  /** This Steward, as its claims name it. */
  instanceId: string;
  qrs: Pick<QrsClient, "listTasksFull">;
  taskStarter: TaskStarter;
  incidents: Pick<IncidentService, "get" | "causeStatus">;
  /** The app reloader (reload actions); absent without the Engine connection. */
  reloader?: AppReloadPort;
  /** The backed-up Scheduler queues (a chain's start waits for its node's to drain); absent without the watchdog. */
  queues?: QueuePort;
  /** Each node's engines, read from QRS: a re-run or a chain's start waits for a free one (readiness.ts). */
  engines?: EnginePort;
  leaseMs: number;
  /**
   * The longest a start request to QRS may take, its retries included (qlik.timeoutMs per attempt): from the start on,
   * the claim is held at least this long, so no Steward takes it over while the start may still reach Qlik.
   */
  startWindowMs?: number;
  pollMs: number;
  /** How long a re-run or a chain's start waits for a free engine once its node's queue is empty (remediation.engineWait). */
  engineWaitMs?: number;
  /**
   * How long to wait while no action is unfinished (absent: pollMs). An action asked for on this Steward pokes it; one
   * asked for on another member is found at this pace, so on PostgreSQL it is the cluster's peer look, on SQLite an hour.
   */
  idlePollMs?: () => number;
  /** Before each look for due actions while any is unfinished: the runs the queue cancelled since join their re-run. */
  beforeLook?: (now: number) => Promise<unknown>;
  /** After each look while any action is unfinished or its outcome untold: outcomes no message carried are told (action-updates.ts). */
  afterLook?: (now: number) => Promise<unknown>;
}

export interface Worker {
  /** Looks for due actions now and arms the timer for the next one (after a person asked for one). */
  poke(): Promise<void>;
  /** Runs one pass and resolves when it is done (tests on a manual clock). */
  pass(): Promise<void>;
  component: Component;
}

/** The audit row of one step of an action: who asked, from where, confirmed by whom, and the Steward that acted. */
function recorderOf(deps: WorkerDeps) {
  return (a: RemediationAction, result: "ok" | "failed", details: Record<string, unknown>) =>
    deps.audit.record({
      actor: { kind: "remediation", name: a.requestedBy, ...(a.requestedIp ? { ip: a.requestedIp } : {}) },
      action: `remediation.${a.kind}`,
      target: a.taskId,
      result,
      details: {
        actionId: a.id,
        incidentId: a.incidentId,
        taskName: a.taskName,
        requestedFrom: a.requestedFrom,
        ...(a.confirmedBy ? { confirmedBy: a.confirmedBy, confirmedFrom: a.confirmedFrom } : {}),
        by: deps.instanceId,
        ...details,
      },
    });
}

/**
 * Taken over: the Steward before this one noted the task's last run, started it and stopped. The run since is the one
 * it started: adopted, not started again; when QRS shows it over already (its end was heard while the action was still
 * claimed, and may have closed the incident), the action ends with it.
 */
async function adopt(
  deps: WorkerDeps,
  record: ReturnType<typeof recorderOf>,
  c: Claim,
  a: RemediationAction,
  last: QrsExecutionResult | null | undefined,
  lastId: string,
): Promise<void> {
  const answer = `adopted the run ${lastId} that ${a.takenFrom ?? "the Steward before"} started before it stopped (not started again)`;
  if (!(await deps.store.started(c, deps.clock.now(), last?.executionID ?? lastId, answer))) return;
  record(a, "ok", { answer, adopted: true });
  if (last && FINAL_EXECUTION_STATUSES.has(last.status))
    await deps.store.ended(
      a.taskId,
      deps.clock.now(),
      last.status === 7 ? "succeeded" : last.status === 8 || last.status === 11 ? "failed" : "aborted",
      null,
      last.executionID ?? lastId,
    );
}

/** Before the due actions of a look: the runs cancelled since join their re-run; the Engine reloads followed are looked at. */
async function beforeDue(deps: WorkerDeps, record: ReturnType<typeof recorderOf>, log: Logger): Promise<void> {
  const { store, clock } = deps;
  await deps.beforeLook?.(clock.now()).catch((err) => log.warn({ err: describeError(err) }, "could not join the runs cancelled since to their re-run"));
  await followEngineReloads({ store, clock, audit: deps.audit, instanceId: deps.instanceId, reloader: deps.reloader }, record).catch((err) =>
    log.warn({ err: describeError(err) }, "could not look at the Engine reloads of remediation actions"),
  );
}

/** A pending action's answer is what it waited for (readiness.ts, more-requests.ts): the start says when that ended. */
function whatItWaitedFor(a: RemediationAction, room: EngineRoom | undefined): string {
  if (a.qlikAnswer === null) return "";
  if (room) return roomFound(room);
  return a.kind === "chain" && a.node ? `, once the Scheduler queue of ${a.node} had drained` : "";
}

export function createWorker(deps: WorkerDeps): Worker {
  const log = deps.log.child({ module: "remediation" });
  const { store, clock } = deps;
  /** What the last pass's look found when it found nothing to do: the next arm needs no look of its own. */
  let idleLook: { next: number | undefined; unfinished: boolean } | undefined;
  // Until start(), no timer is armed (a pass may still be run); after stop(), no new action is claimed (loop.stopped()).
  let armed = false;

  const end = async (c: Claim, a: RemediationAction, outcome: string, answer: string) => {
    if (await store.failed(c, clock.now(), outcome, answer)) record(a, "failed", { outcome, answer });
  };
  const record = recorderOf(deps);
  const skip = async (c: Claim, a: RemediationAction, answer: string) => {
    if (await store.skipped(c, clock.now(), answer)) record(a, "ok", { answer, skipped: true });
  };

  async function act(c: Claim, a: RemediationAction, room: EngineRoom | undefined): Promise<void> {
    const [task] = await deps.qrs.listTasksFull(eq("id", a.taskId));
    const last = task?.operational?.lastExecutionResult;
    const lastId = last?.id ?? "none";
    if (task && a.kind !== "reload" && a.takenFrom !== null && a.seenExecution !== null && a.seenExecution !== lastId)
      return adopt(deps, record, c, a, last, lastId);
    // A direct start held by the two-person rule belongs to no incident: it starts whatever the site's state.
    if (a.kind !== "start" && (await deps.incidents.get(a.incidentId))?.status !== "open")
      return skip(c, a, `incident #${a.incidentId} recovered before the action was due: nothing was started`);
    if (!task) return end(c, a, "not started", "QRS no longer has this task");
    if (task.enabled === false) return end(c, a, "not started", "the task is disabled in the QMC: a person turned it off, so Steward does not start it");
    // An Engine reload is no run of the task: its own take-over looks for the job, not for a run.
    if (a.kind === "reload")
      return startEngineReload(
        { store, clock, audit: deps.audit, instanceId: deps.instanceId, reloader: deps.reloader, holdMs: Math.max(deps.leaseMs, deps.startWindowMs ?? 0) },
        c,
        a,
        task,
        end,
        record,
      );
    // A rerun whose task ran since it was asked for (its trigger, or its chain after a rerun before it) is not needed.
    const notNeeded = rerunNotNeeded(a, lastId);
    if (notNeeded) return skip(c, a, notNeeded);
    const holdUntil = clock.now() + Math.max(deps.leaseMs, deps.startWindowMs ?? 0);
    if (!(await store.seen(c, lastId, holdUntil))) return; // Another Steward took the action over: it acts, not this one.
    const report = await deps.taskStarter.start(
      { taskIds: [a.taskId] },
      { kind: "remediation", name: `action ${a.id}`, actor: { kind: "remediation", name: a.requestedBy, ...(a.requestedIp ? { ip: a.requestedIp } : {}) } },
      { synchronous: true },
    );
    const denied = report.denied[0];
    if (denied) return end(c, a, "not started", `the start allowlist refused it: ${denied.reason}`);
    const s = report.started[0];
    if (!s) return end(c, a, "not started", "QRS no longer has this task");
    if (s.status !== "started") return end(c, a, "not started", `Qlik refused the start: ${s.error ?? "no reason given"}`);
    const answer = `Qlik started the task (execution session ${s.executionSessionId ?? "unknown"})${whatItWaitedFor(a, room)}`;
    if (await store.started(c, clock.now(), s.executionSessionId ?? null, answer)) record(a, "ok", { answer, executionSessionId: s.executionSessionId });
    else log.warn({ actionId: a.id }, "a remediation action was taken over while this Steward started it");
  }

  async function passOnce(): Promise<void> {
    // Nothing pending, claimed or an Engine reload followed (nearly always): one look is the pass, and the next arm's.
    idleLook = await store.nextLook(clock.now());
    if (!idleLook.unfinished) return;
    idleLook = undefined;
    await beforeDue(deps, record, log);
    for (const due of await store.due(clock.now())) {
      if (loop.stopped()) return;
      const ready = await readiness({ ...deps, log }, due, clock.now());
      if (!ready.ready && ready.waitedOut && deps.engineWaitMs !== undefined)
        await endWaitedOut({ ...deps, engineWaitMs: deps.engineWaitMs }, due, ready.waitedOut, clock.now(), record);
      if (!ready.ready) continue;
      const got = await store.claim(due.id, deps.instanceId, clock.now(), deps.leaseMs);
      if (!got) continue;
      try {
        await act(got.claim, got.action, ready.room);
      } catch (err) {
        // The claim stays: its lease runs out and a Steward (this one too) tries again, after looking at QRS.
        log.warn({ actionId: due.id, err: describeError(err) }, "a remediation action could not be carried out; it is tried again when its claim runs out");
      }
    }
    await deps.afterLook?.(clock.now()).catch((err) => log.warn({ err: describeError(err) }, "could not tell the outcomes of remediation actions"));
  }

  // The next look: at the poll interval (actions another Steward added, claims that ran out), or sooner when a
  // pending action falls due before it ("retry in 5 minutes" starts at its minute, not up to a poll later).
  // The latest arm wins: one begun before another (start's, beside a poke's pass) may find its look later and would
  // set the timer from a stale time.
  let arms = 0;
  /** The wait until the next pass; undefined: another arm begun since (or stop) sets the timer, not this one. */
  const nextWait = async (): Promise<number | undefined> => {
    if (!armed) return undefined;
    const mine = ++arms;
    // Only what falls due later: a re-run due since the request but waiting for its queue to drain would arm a timer
    // of 0 again and again (a loop on the database, and a stepped clock that never moves on).
    const look = idleLook ?? (await store.nextLook(clock.now()).catch(() => ({ next: undefined, unfinished: true })));
    idleLook = undefined;
    if (!armed || mine !== arms) return undefined;
    const poll = look.unfinished || !deps.idlePollMs ? deps.pollMs : Math.max(deps.pollMs, deps.idlePollMs());
    return look.next === undefined ? poll : Math.min(poll, Math.max(0, look.next - clock.now()));
  };

  // One pass at a time; a pass asked for during one (a person's poke) runs once more after it. The timer's pass is
  // followed by the next arm, and a manual or stepped clock waits for both, so the re-armed timer fires in the same step.
  const loop = createSerialLook({
    clock,
    look: passOnce,
    onError: (err) => log.warn({ err: describeError(err) }, "could not look for due remediation actions"),
    nextDelayMs: nextWait,
  });
  const pass = loop.run;
  const arm = async () => {
    const wait = await nextWait();
    if (wait !== undefined) loop.arm(wait);
  };

  return {
    poke: () => pass().then(arm),
    pass,
    component: {
      name: "remediation",
      start() {
        armed = true;
        loop.start();
        void arm();
      },
      async stop() {
        armed = false;
        await loop.stop();
      },
    },
  };
}
