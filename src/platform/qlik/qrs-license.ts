// QRS license calls: the server license (expiry from the "Valid To:" line of keyDetails), the access-type
// overview, professional/analyzer allocations not used since a date, and releasing one allocation. The schemas are
// built on first use (z.lazy), like those in qrs-schemas.ts.
import { z } from "zod";
import { AppError } from "../core/errors";
import type { QrsClient } from "./qrs-client";
import { QrsUserRefSchema } from "./qrs-schemas";

export const QrsLicenseSchema = z.lazy(() =>
  z.looseObject({
    isExpired: z.boolean().nullish(),
    keyDetails: z.string().nullish(),
  }),
);

const AccessBlock = z.lazy(() =>
  z.looseObject({
    enabled: z.boolean().default(false),
    total: z.number().default(0),
    allocated: z.number().default(0),
    used: z.number().default(0),
    quarantined: z.number().default(0),
    excess: z.number().default(0),
    available: z.number().default(0),
  }),
);

export const QrsAccessTypeOverviewSchema = z.lazy(() =>
  z.looseObject({
    totalTokens: z.number().default(0),
    availableTokens: z.number().default(0),
    professionalAccess: AccessBlock.prefault({}),
    analyzerAccess: AccessBlock.prefault({}),
    analyzerTimeAccess: z
      .looseObject({
        enabled: z.boolean().default(false),
        allocatedMinutes: z.number().default(0),
        usedMinutes: z.number().default(0),
        unavailableMinutes: z.number().default(0),
      })
      .prefault({}),
    loginAccess: z
      .looseObject({
        enabled: z.boolean().default(false),
        tokenCost: z.number().default(0),
        allocatedTokens: z.number().default(0),
        usedTokens: z.number().default(0),
        unavailableTokens: z.number().default(0),
      })
      .prefault({}),
    userAccess: z
      .looseObject({
        enabled: z.boolean().default(false),
        tokenCost: z.number().default(0),
        allocatedTokens: z.number().default(0),
        usedTokens: z.number().optional(),
        // Some QRS versions name the used tokens of user access `userTokens`.
        userTokens: z.number().optional(),
        quarantinedTokens: z.number().default(0),
      })
      .prefault({}),
  }),
);

export type AccessTypeOverview = z.infer<typeof QrsAccessTypeOverviewSchema>;

export const QrsAllocationSchema = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    lastUsed: z.string().nullish(),
    quarantined: z.boolean().nullish(),
    user: QrsUserRefSchema,
  }),
);
export type QrsAllocation = z.infer<typeof QrsAllocationSchema>;

export type AccessKind = "professional" | "analyzer";

export interface ServerLicense {
  expired: boolean;
  /** YYYY-MM-DD from "Valid To:", when the license has one. */
  expiryDate?: string;
  /** Whole days until the end of the expiry date; negative once expired (Butler reports it unsigned). */
  daysUntilExpiry?: number;
}

const DAY = 86_400_000;

export function parseServerLicense(l: z.infer<typeof QrsLicenseSchema>, nowMs: number): ServerLicense {
  const line = (l.keyDetails ?? "").split(/\r?\n/).find((s) => /^\s*Valid To:/i.test(s));
  const value = line?.split(/:(.*)/s)[1]?.trim();
  const date = value?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!date) return { expired: l.isExpired === true };
  const expiryDate = `${date[1]}-${date[2]}-${date[3]}`;
  const endMs = Date.parse(`${expiryDate}T23:59:59.999Z`);
  const daysUntilExpiry = Math.floor((endMs - nowMs) / DAY);
  return { expired: l.isExpired === true || endMs < nowMs, expiryDate, daysUntilExpiry };
}

export async function readServerLicense(qrs: QrsClient, nowMs: number): Promise<ServerLicense> {
  return parseServerLicense(await qrs.getJson("license", QrsLicenseSchema), nowMs);
}

export function readAccessTypeOverview(qrs: QrsClient): Promise<AccessTypeOverview> {
  return qrs.getJson("license/accesstypeoverview", QrsAccessTypeOverviewSchema);
}

/** Allocations whose last use is at or before `beforeIso` (never-used ones included: QRS shows 1753-01-01). */
export function listStaleAllocations(qrs: QrsClient, kind: AccessKind, beforeIso: string): Promise<QrsAllocation[]> {
  return qrs.getJson(`license/${kind}accesstype/full`, z.array(QrsAllocationSchema), { filter: `lastUsed le '${beforeIso}'` });
}

export async function releaseAllocation(qrs: QrsClient, kind: AccessKind, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("BAD_REQUEST", `allocation id must be a GUID, got ${JSON.stringify(id)}`);
  await qrs.request({ method: "DELETE", path: `license/${kind}accesstype/${id}`, retries: 0 });
}
