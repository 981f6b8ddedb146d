// Config of the audit log's retention: how long entries are kept and how many at most, so the store cannot grow
// without bound (denials of anonymous floods are aggregated before they get here; see src/platform/security/denial-audit.ts).
import { z } from "zod";
import { DurationSchema } from "../core/duration";

export const auditSchema = () =>
  z
    .strictObject({
      maxAge: DurationSchema.prefault("90d").describe('Entries older than this are deleted, e.g. "90d" (default), "365d".'),
      maxEntries: z
        .number()
        .int()
        .min(1000)
        .max(100_000_000)
        .default(200_000)
        .describe(
          "Most entries kept (default 200000: typically 60 MB, at most about 250 MB). Once the log is 1% over it, retention deletes back down to it in one batch, the oldest denials first, then the oldest of the rest (with several Stewards on one PostgreSQL store, up to 1% more per Steward).",
        ),
    })
    .describe("Retention of the audit log (GET /v4/audit): task starts, reloads, file operations, KV writes, key changes, access denials.");

export type AuditConfig = z.infer<ReturnType<typeof auditSchema>>;
