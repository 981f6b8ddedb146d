// Reading Qlik Cloud's Reloads API answers: a page of reloads (checked item by item, so one odd reload does not
// hide the others) and what each status means for Steward.
import { z } from "zod";
import type { TaskOutcome } from "../events/types";

/** Final statuses and the outcome each is announced as. */
export const FINAL_STATUSES: Readonly<Record<string, TaskOutcome>> = {
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  // The tenant refused or stopped the reload at its capacity limit: the data did not refresh.
  EXCEEDED_LIMIT: "failed",
  CANCELED: "aborted",
};
/** Statuses of a reload that has not ended: left for a later poll. */
export const IN_PROGRESS_STATUSES: ReadonlySet<string> = new Set(["QUEUED", "RELOADING", "CANCELING"]);

const Time = z.string().max(64).optional();

export const CloudReloadSchema = z
  .object({
    id: z.string().min(1).max(200),
    appId: z.string().min(1).max(200),
    tenantId: z.string().max(200).optional(),
    userId: z.string().max(200).optional(),
    type: z.string().max(64).optional(),
    status: z.string().min(1).max(64),
    partial: z.boolean().optional(),
    creationTime: Time,
    startTime: Time,
    endTime: Time,
    duration: z.string().max(64).optional(),
    errorCode: z.string().max(200).optional(),
    errorMessage: z.string().max(10_000).optional(),
  })
  .loose();
export type CloudReload = z.infer<typeof CloudReloadSchema>;

const PageSchema = z
  .object({
    data: z.array(z.unknown()),
    links: z
      .object({
        next: z
          .object({ href: z.string().min(1) })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** A listed reload Steward cannot use; `creationTime` when it is a reload with a status Steward does not know. */
export type Rejected = { reason: "shape" | "unknown_status"; detail: string; creationTime?: string };

export interface ReloadPage {
  reloads: CloudReload[];
  rejected: Rejected[];
  next?: string;
}

/** A page of `GET /api/v1/reloads`; throws when the answer is not such a page at all. */
export function readReloadPage(body: unknown): ReloadPage {
  const page = PageSchema.safeParse(body);
  if (!page.success) throw new Error(`not a page of reloads (${page.error.issues[0]?.path.join(".") || "body"}: ${page.error.issues[0]?.message})`);
  const reloads: CloudReload[] = [];
  const rejected: Rejected[] = [];
  for (const item of page.data.data) {
    const r = CloudReloadSchema.safeParse(item);
    if (!r.success) {
      rejected.push({ reason: "shape", detail: `${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}` });
      continue;
    }
    if (!(r.data.status in FINAL_STATUSES) && !IN_PROGRESS_STATUSES.has(r.data.status)) {
      rejected.push({
        reason: "unknown_status",
        detail: `reload ${r.data.id} has status '${r.data.status.slice(0, 40)}'`,
        ...(r.data.creationTime ? { creationTime: r.data.creationTime } : {}),
      });
      continue;
    }
    reloads.push(r.data);
  }
  const next = page.data.links?.next?.href;
  return { reloads, rejected, ...(next ? { next } : {}) };
}

/** Milliseconds of an ISO time, or undefined. */
export function timeMs(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** The `next` cursor of a `links.next.href`, so the call goes to the configured tenant and never elsewhere. */
export function nextCursor(href: string): string | undefined {
  try {
    return new URL(href, "https://tenant.invalid").searchParams.get("next") ?? undefined;
  } catch {
    return undefined;
  }
}
