// Reads what the noise report counts from the stores: the pages of the window (the outbox), what their incidents
// became, the runs the Scheduler's retry recovered; and what the proposals need to know of the config in force.
import type { DomainEvent, TaskEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import type { IncidentService } from "../../tell/incidents/service";
import { eventsById, firstDeliveryAt, pagesBetween, type LoggedPage } from "../../tell/notify/page-log";
import type { NoiseIncident, NoisePage } from "./types";
import type { ProposalContext } from "./propose";
import type { RecordedEvent } from "./replay";
import { type ActionLike, actedOnOf, type SnoozeLike } from "./acted-on";

/** Silences read for snoozes: a site keeps far fewer (at most 200 active or coming ones, and ended ones a while). */
const MAX_SILENCES = 5000;

/** The pages a window may hold at most; a week past this is a storm the causes page tells better. */
export const MAX_PAGES = 50_000;

export interface NoiseStores {
  db: SqlDb;
  incidents?: Pick<IncidentService, "get" | "recoveredByRetry">;
  /** A task's name from the run history, for runs the retry recovered. */
  taskName?(taskId: string): string | undefined;
  /** Silences (a snooze is one: of an incident, or of its cause), newest first. */
  silences?: { list(f: { limit: number }): Promise<SnoozeLike[]> };
  /** An incident's remediation actions (a retry or re-run a person asked for is acting on it). */
  actions?: { ofIncident(incidentId: number): Promise<ActionLike[]> };
  /** Each node's reloads running and waiting per hour (the watchdog's count), when the watchdog is on. */
  nodeHours?(from: number, to: number): Promise<Array<{ node: string; hourMs: number; runningMs: number; waitingMs: number }>>;
}

function toPage(p: LoggedPage): NoisePage {
  const e = p.event as (DomainEvent & { task?: { id: string; name: string }; app?: { name: string }; host?: string }) | undefined;
  const task = e && "task" in e && e.task ? e.task : undefined;
  const title = e ? (task?.name ?? e.app?.name ?? ("title" in e ? e.title : undefined) ?? p.kind) : p.kind;
  const cause = e?.cause;
  const incident = e && isTaskEvent(e) ? e.incident : undefined;
  return {
    route: p.route,
    kind: p.kind,
    status: p.status,
    at: p.at,
    eventId: p.eventId,
    subject: title,
    ...(task ? { taskId: task.id.toLowerCase(), taskName: task.name || task.id } : {}),
    ...(e?.app?.name ? { appName: e.app.name } : {}),
    ...(e?.host ? { node: e.host } : {}),
    ...(incident ? { incidentId: incident.id } : {}),
    ...(cause ? { cause: { id: cause.id, title: cause.title, tasks: cause.counts.tasks, apps: cause.apps } } : {}),
    ...(e && isTaskEvent(e) ? startedByOf(e) : {}),
  };
}

/** What started the paged run, as the run's history tells it (a schedule trigger, a chain, a person). */
function startedByOf(e: TaskEvent): Pick<NoisePage, "startedBy"> {
  const by = e.history?.startedBy;
  if (by?.trigger) return { startedBy: by.trigger.type };
  return by?.kind === "user" ? { startedBy: "user" } : {};
}

/** Channels that record every event rather than tell a person: their deliveries are not pages. */
const RECORDING_CHANNELS = ["influxdb", "mqtt", "newrelic"];

export const recordingChannels = (c: ConfigView): string[] =>
  Object.entries(c.channels ?? {})
    .filter(([, ch]) => RECORDING_CHANNELS.includes(ch.type))
    .map(([name]) => name);

/**
 * `unrouted`: events no route took (a config rehearsal replays them too); their incidents are read as the pages' are,
 * but they are no page of the config in force.
 */
export async function readNoise(s: NoiseStores, from: number, to: number, notPaging: readonly string[] = [], unrouted: readonly RecordedEvent[] = []) {
  const logged = await pagesBetween(s.db, from, to, MAX_PAGES, notPaging);
  const pages = logged.map(toPage);
  // Each event once, at the time it was first told or held: what a proposal's replay runs again (replay.ts).
  const recorded = new Map<string, RecordedEvent>();
  for (const p of logged) {
    const known = recorded.get(p.eventId);
    if (p.event && (!known || p.at < known.at)) recorded.set(p.eventId, { at: p.at, event: p.event });
  }
  for (const r of unrouted) if (!recorded.has(r.event.id)) recorded.set(r.event.id, r);
  const incidentOf = (e: DomainEvent) => (isTaskEvent(e) ? e.incident?.id : undefined);
  const ids = [
    ...new Set([
      ...pages.flatMap((p) => (p.incidentId === undefined ? [] : [p.incidentId])),
      ...unrouted.flatMap((r) => (incidentOf(r.event) === undefined ? [] : [incidentOf(r.event)!])),
    ]),
  ];
  const incidents = new Map<number, NoiseIncident>();
  if (s.incidents) {
    const snoozes = (await s.silences?.list({ limit: MAX_SILENCES })) ?? [];
    const eventsOf = new Map<number, DomainEvent[]>();
    for (const { event } of recorded.values()) {
      const id = isTaskEvent(event) ? event.incident?.id : undefined;
      if (id !== undefined) eventsOf.set(id, [...(eventsOf.get(id) ?? []), event]);
    }
    const rows = new Map<number, NonNullable<Awaited<ReturnType<typeof s.incidents.get>>>>();
    for (const id of ids) {
      const row = await s.incidents.get(id);
      if (row) rows.set(id, row);
    }
    // The event that closed each incident (a recovery is not a page, so the window's pages do not hold it): a run a
    // person started by hand that healed the task is a fix by hand.
    const closing = await eventsById(
      s.db,
      [...rows.values()].flatMap((r) => closingIds(r.closedByEventId)),
    );
    for (const [id, row] of rows) {
      const ended = closingIds(row.closedByEventId)
        .map((e) => closing.get(e))
        .find((e) => e !== undefined);
      if (ended) eventsOf.set(id, [...(eventsOf.get(id) ?? []), ended]);
      const actedOn = actedOnOf({
        incidentId: id,
        causeIds: [...new Set(pages.flatMap((p) => (p.incidentId === id && p.cause ? [p.cause.id] : [])))],
        snoozes,
        actions: (await s.actions?.ofIncident(id)) ?? [],
        events: eventsOf.get(id) ?? [],
      });
      incidents.set(id, { id, acknowledgedAt: row.acknowledgedAt, closedAt: row.closedAt, ...(actedOn ? { actedOn } : {}) });
    }
  }
  const firstRecordAt = await firstDeliveryAt(s.db);
  const retried = s.incidents ? (await s.incidents.recoveredByRetry(from, 5000)).filter((r) => r.finishedAt < to) : [];
  return {
    pages,
    recorded: [...recorded.values()],
    incidents,
    ...(firstRecordAt !== undefined ? { firstRecordAt } : {}),
    retried: retried.map((r) => ({ taskId: r.taskId.toLowerCase(), taskName: s.taskName?.(r.taskId) ?? r.taskId })),
  };
}

/**
 * The ids the event that closed an incident may be recorded under: the incident names the run's success
 * (`<execution>:succeeded`), which the outbox records as the recovery it told (`<execution>:recovered`).
 */
function closingIds(closedBy: string | null): string[] {
  if (!closedBy) return [];
  const run = closedBy.replace(/:succeeded$/, "");
  return run === closedBy ? [closedBy] : [closedBy, `${run}:recovered`];
}

/** The parts of the config the proposals look at (a structural view: the composition root passes the whole config). */
export interface ConfigView {
  channels?: Record<string, { type: string }>;
  routes: ReadonlyArray<{ name?: string; enabled?: boolean; on: readonly string[]; pageAfter?: { failures: number; within: number }; renotify?: unknown }>;
  incidents?: { pageAfter?: ReadonlyArray<{ taskNames?: readonly string[]; taskIds?: readonly string[] }> };
  maintenance?: { windows?: ReadonlyArray<{ name: string }> };
  freshness?: { promises?: Record<string, unknown> };
}

export function proposalContext(c: ConfigView): ProposalContext {
  return {
    routes: c.routes.map((r, index) => ({
      name: r.name ?? `route-${index + 1}`,
      named: r.name !== undefined,
      index,
      on: r.on,
      pageAfter: r.pageAfter !== undefined,
      renotifyEvery: r.renotify !== undefined && r.renotify !== "once",
    })),
    pageAfterTasks: (c.incidents?.pageAfter ?? []).flatMap((r) => r.taskNames ?? []),
    pageAfterTaskIds: (c.incidents?.pageAfter ?? []).flatMap((r) => (r.taskIds ?? []).map((id) => id.toLowerCase())),
    maintenanceWindows: (c.maintenance?.windows ?? []).map((w) => w.name),
    freshnessPromises: Object.keys(c.freshness?.promises ?? {}),
  };
}

/** Routes with a threshold of their own, as the report shows it. */
export function routePageAfter(c: ConfigView): Map<string, string> {
  const out = new Map<string, string>();
  c.routes.forEach((r, i) => {
    if (r.pageAfter) out.set(r.name ?? `route-${i + 1}`, `${r.pageAfter.failures} within ${Math.round(r.pageAfter.within / 60_000)} min`);
  });
  return out;
}
