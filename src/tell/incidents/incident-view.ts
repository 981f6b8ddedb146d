// An incident as the REST API, the dashboard and the assistant read it, with the open cause that holds it.
// Its schema is built on first use (z.lazy): a start that never needs it does not pay for building it.
import { z } from "zod";
import type { IncidentRow } from "./incident-store";
import type { CauseBrief } from "./service";
import { HeldBySchema, heldByView, type RemediationHold } from "./remediation-holds";

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function incidentView(r: IncidentRow, cause?: CauseBrief, heldBy?: RemediationHold) {
  return {
    id: r.id,
    subject: r.subject,
    taskId: r.taskId,
    title: r.title,
    status: r.status,
    failures: r.failures,
    events: r.events,
    openedAt: iso(r.openedAt),
    lastEventAt: iso(r.lastEventAt),
    lastEventId: r.lastEventId,
    lastKind: r.lastKind,
    lastSummary: r.lastSummary,
    errorClass: r.errorClass,
    closedAt: iso(r.closedAt),
    closedByEventId: r.closedByEventId,
    closedSummary: r.closedSummary,
    acknowledgedAt: iso(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    acknowledgedNote: r.acknowledgedNote,
    cause: cause ? { id: cause.id, title: cause.title } : null,
    heldBy: heldByView(heldBy),
  };
}

export type IncidentView = ReturnType<typeof incidentView>;

export const IncidentViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    subject: z.string(),
    taskId: z.string().nullable(),
    title: z.string(),
    status: z.enum(["open", "closed"]),
    failures: z.number(),
    events: z.number(),
    openedAt: z.string().nullable(),
    lastEventAt: z.string().nullable(),
    lastEventId: z.string(),
    lastKind: z.string(),
    lastSummary: z.string(),
    errorClass: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedByEventId: z.string().nullable(),
    closedSummary: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedNote: z.string().nullable(),
    cause: z
      .object({ id: z.number(), title: z.string() })
      .nullable()
      .describe("The open cause this incident is one symptom of (GET /v4/causes/{id}); acknowledging either acknowledges both. null: it is its own cause."),
    heldBy: HeldBySchema(),
  }),
);
