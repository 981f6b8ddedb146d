// What a silence covers: a matcher over an event's task, app, stream, tags, node, kind and source (on-premise or
// Qlik Cloud). Every field present must match; within a field any value matches; names are case-insensitive globs.
import { z } from "zod";
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { sameNode } from "../../hear/events/datagram-claims";
import { compileGlob, globMatch } from "../../platform/core/glob";

/** A few stars are all a real name pattern needs (matching is linear in the name whatever the count). */
const MAX_STARS = 8;
const Glob = z.lazy(() =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((g) => g.split("*").length - 1 <= MAX_STARS, { message: `at most ${MAX_STARS} * in a name pattern` }),
);

const names = (what: string) => z.array(Glob).min(1).max(50).optional().describe(`${what}; * matches any run of characters, case-insensitive.`);

/** The fields a maintenance window's matcher and a silence's share. */
const eventFields = () => ({
  taskIds: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional().describe("Task ids (QRS or Qlik Cloud)."),
  taskNames: names("Task names"),
  appIds: z.array(z.string().trim().min(1).max(100)).min(1).max(50).optional().describe("App ids."),
  appNames: names("App names"),
  streams: names("Stream names (an unpublished app matches none)"),
  tags: names("Tags of the task or of its app"),
  nodes: names("Node host names (short or DNS name alike)"),
  kinds: names("Event kinds, e.g. task.failed, task.*, app.stale"),
  source: z.enum(["on-premise", "cloud"]).optional().describe("Qlik Sense Enterprise on Windows (on-premise) or a Qlik Cloud tenant."),
  incidentIds: z
    .array(z.number().int().min(1))
    .min(1)
    .max(50)
    .optional()
    .describe("Incidents, while they are open (a snooze from an alert link): their recovery is not held.")
    .meta({ examples: [[42]] }),
});

const FIELDS = "taskIds, taskNames, appIds, appNames, streams, tags, nodes, kinds, source";
const notEmpty = (fields: string) => ({
  message: `a matcher needs at least one field (${fields}); kinds: ['*'] silences everything`,
});

export const SilenceMatcherSchema = z.lazy(() =>
  z
    .strictObject({
      ...eventFields(),
      causeIds: z
        .array(z.number().int().min(1))
        .min(1)
        .max(50)
        .optional()
        .describe("Causes, while they are open (a snooze from a cause's alert link): their further pages; the recovered page is not held.")
        .meta({ examples: [[7]] }),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), notEmpty(`${FIELDS}, incidentIds or causeIds`)),
);

/**
 * A maintenance window's matcher: a silence's fields but a cause's, since a window judges an alert before the grouping
 * names its cause (a window over a cause is one over its node, source or tasks).
 */
export const WindowMatcherSchema = z.lazy(() =>
  z.strictObject(eventFields()).refine((m) => Object.values(m).some((v) => v !== undefined), notEmpty(`${FIELDS} or incidentIds`)),
);

export type SilenceMatcher = z.infer<typeof SilenceMatcherSchema>;

const anyGlob = (patterns: string[], values: Array<string | undefined>) =>
  patterns.some((p) => {
    const g = compileGlob(p);
    return values.some((v) => v !== undefined && g.test(v));
  });

interface EventFacts {
  task?: { id: string; name: string; tags: string[] };
  app?: { id: string; name: string; stream?: string; tags: string[] };
  host: string;
  cloud: boolean;
}

/** The parts of any event a silence can match on. */
export function eventFacts(e: DomainEvent): EventFacts {
  const cloudData = "data" in e && (e.data as Record<string, unknown>).source === "cloud";
  if (isTaskEvent(e)) return { task: e.task, app: e.app, host: e.host, cloud: e.source === "cloud" };
  if (isWatchdogEvent(e) || isDataCheckEvent(e)) return { task: e.task, app: e.app, host: e.host, cloud: cloudData };
  if (isSiteEvent(e)) return { host: e.host, cloud: cloudData || e.kind.startsWith("qlikcloud.") };
  if (isServiceEvent(e)) return { host: e.host, cloud: false };
  return { host: (e as { host: string }).host, cloud: false };
}

/**
 * `conditionIncident`: the open incident of the condition `e` opens or adds to (a missed start, a freshness promise…),
 * which the event does not carry: a snooze of that incident holds it (the gate looks it up: gate.ts).
 */
export function matchesSilence(m: SilenceMatcher, e: DomainEvent, conditionIncident?: number): boolean {
  const f = eventFacts(e);
  if (m.kinds && !anyGlob(m.kinds, [e.kind])) return false;
  if (m.source && (m.source === "cloud") !== f.cloud) return false;
  if (m.nodes && !m.nodes.some((n) => (n.includes("*") ? globMatch(n, f.host) : sameNode(n, f.host)))) return false;
  if (m.taskIds && !(f.task && m.taskIds.some((id) => id.toLowerCase() === f.task!.id.toLowerCase()))) return false;
  if (m.taskNames && !(f.task && anyGlob(m.taskNames, [f.task.name]))) return false;
  if (m.appIds && !(f.app && m.appIds.some((id) => id.toLowerCase() === f.app!.id.toLowerCase()))) return false;
  if (m.appNames && !(f.app && anyGlob(m.appNames, [f.app.name]))) return false;
  if (m.streams && !(f.app?.stream && anyGlob(m.streams, [f.app.stream]))) return false;
  if (m.tags && !anyGlob(m.tags, [...(f.task?.tags ?? []), ...(f.app?.tags ?? [])])) return false;
  if (m.incidentIds && !openIncidentIn(m.incidentIds, e, conditionIncident)) return false;
  // The cause an alert belongs to is on the event once the grouping decided it (src/tell/alert-gates: a gate after it).
  if (m.causeIds && !(e.cause?.status === "open" && m.causeIds.includes(e.cause.id))) return false;
  return true;
}

/** A snooze covers its incident's further alerts, not the recovery that closes it. */
function openIncidentIn(ids: number[], e: DomainEvent, conditionIncident: number | undefined): boolean {
  if (conditionIncident !== undefined && ids.includes(conditionIncident)) return true;
  const incident = isTaskEvent(e) ? e.incident : undefined;
  return incident !== undefined && incident.status === "open" && ids.includes(incident.id);
}

/** "task names Finance*, kinds task.failed" — how a matcher reads in a reason, a list or a mail. */
export function describeMatcher(m: SilenceMatcher): string {
  const parts: string[] = [];
  const add = (label: string, v: string[] | undefined) => v && parts.push(`${label} ${v.join(", ")}`);
  add("task ids", m.taskIds);
  add("task names", m.taskNames);
  add("app ids", m.appIds);
  add("app names", m.appNames);
  add("streams", m.streams);
  add("tags", m.tags);
  add("nodes", m.nodes);
  add("kinds", m.kinds);
  if (m.source) parts.push(`source ${m.source}`);
  if (m.incidentIds) parts.push(`incidents ${m.incidentIds.map((i) => `#${i}`).join(", ")} while open`);
  if (m.causeIds) parts.push(`causes ${m.causeIds.map((i) => `#${i}`).join(", ")} while open`);
  return parts.join("; ");
}
