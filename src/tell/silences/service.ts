// Silences as a service: create (validated: a matcher, a reason, an end no further than MAX_SILENCE_MS away), list,
// read with the alerts each held, and end early. Ending one sends at once what it held whose condition lasts.
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import type { Clock } from "../../platform/core/clock";
import { DurationSchema } from "../../platform/core/duration";
import { instantIn } from "../../platform/core/time-zone";
import { SilenceMatcherSchema } from "./matcher";
import type { SilenceReleaser } from "./release";
import type { HoldRow, HoldState, SilenceRow, SilenceStore } from "./silence-store";

/** A silence longer than this is a route that should be changed, not silenced. */
export const MAX_SILENCE_MS = 90 * 86_400_000;
/** Active and coming silences at most: every event is matched against each, so a flood of them cannot slow alerts. */
export const MAX_OPEN_SILENCES = 500;
/**
 * How far back a start may be given and still mean "now": the minutes a person took between filling in the form (a
 * date-time field has minute precision) or opening a snooze and pressing, or a clock a little behind the server's.
 * Such a silence starts now (a start in the past would say it held alerts it never saw); one further back is refused.
 */
export const START_GRACE_MS = 5 * 60_000;

// Without an offset a time is the site's wall clock (notify.timeZone): what the dashboard's date-time fields send.
const Iso = z.lazy(() =>
  z.iso.datetime({
    offset: true,
    local: true,
    error: "must be an ISO-8601 time such as 2026-11-23T06:00:00Z, 2026-11-23T07:00:00+01:00 or 2026-11-23T07:00 (in the site's zone)",
  }),
);

export const SilenceInputSchema = z.lazy(() =>
  z
    .strictObject({
      matcher: SilenceMatcherSchema,
      reason: z.string().trim().min(1).max(500).describe("Why: shown with every alert it holds."),
      author: z.string().trim().min(1).max(200).optional().describe("Who asks for it (default: the caller's key or certificate name)."),
      startsAt: Iso.optional().describe("When it begins (default: now). Without an offset, in the site's zone (notify.timeZone)."),
      endsAt: Iso.optional().describe("When it ends; give this or duration. Without an offset, in the site's zone (notify.timeZone)."),
      duration: DurationSchema.optional().describe('How long from its start, e.g. "2h" or "1d"; give this or endsAt.'),
    })
    .refine((s) => (s.endsAt === undefined) !== (s.duration === undefined), {
      message: "give exactly one of endsAt and duration",
      path: ["endsAt"],
    }),
);

export type SilenceInput = z.infer<typeof SilenceInputSchema>;

export interface SilenceWithCounts extends SilenceRow {
  held: Partial<Record<HoldState, number>>;
}

export interface SilenceService {
  create(input: SilenceInput, actor: string): Promise<SilenceRow>;
  list(f: { state?: "active" | "pending" | "ended"; limit: number }): Promise<SilenceWithCounts[]>;
  get(id: number): Promise<(SilenceWithCounts & { holds: HoldRow[] }) | undefined>;
  /** Undefined: no such silence; false: it had ended already. */
  end(id: number, actor: string): Promise<SilenceRow | false | undefined>;
  suppressed(f: { state?: HoldState; limit: number }): Promise<HoldRow[]>;
}

/** `siteZone`: the zone a time given without an offset is read in (notify.timeZone, else this machine's). */
export function createSilenceService(store: SilenceStore, releaser: SilenceReleaser, clock: Clock, siteZone: () => string): SilenceService {
  const withCounts = async (rows: SilenceRow[]): Promise<SilenceWithCounts[]> => {
    const counts = await store.counts(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, held: counts.get(r.id) ?? {} }));
  };
  return {
    async create(input, actor) {
      const now = clock.now();
      const given = input.startsAt ? instantIn(input.startsAt, siteZone()) : now;
      if (given < now - START_GRACE_MS)
        throw new AppError(
          "BAD_REQUEST",
          `startsAt is ${Math.floor((now - given) / 60_000)} minutes in the past (${new Date(given).toISOString()}); a start at most 5 minutes ago starts now: leave it empty to start now`,
          { details: { field: "startsAt" } },
        );
      const startsAt = Math.max(given, now);
      const endsAt = input.endsAt ? instantIn(input.endsAt, siteZone()) : startsAt + input.duration!;
      const field = input.endsAt ? "endsAt" : "duration";
      if (endsAt <= Math.max(now, startsAt)) throw new AppError("BAD_REQUEST", `${field}: the silence would end before it begins`, { details: { field } });
      if (endsAt - startsAt > MAX_SILENCE_MS)
        throw new AppError("BAD_REQUEST", `${field}: a silence lasts at most 90 days; change the route instead`, { details: { field } });
      if ((await store.openCount(now)) >= MAX_OPEN_SILENCES)
        throw new AppError("CONFLICT", `there are ${MAX_OPEN_SILENCES} active or coming silences already; end some, or widen one's matcher`);
      return store.create({
        matcher: input.matcher,
        reason: input.reason,
        author: input.author ?? actor,
        startsAt,
        endsAt,
        createdAt: now,
        createdBy: actor,
      });
    },
    async list(f) {
      return withCounts(await store.list({ ...f, now: clock.now() }));
    },
    async get(id) {
      const row = await store.get(id);
      if (!row) return undefined;
      const [counted] = await withCounts([row]);
      return { ...counted!, holds: await store.holds({ silenceId: id, limit: 500 }) };
    },
    async end(id, actor) {
      if (!(await store.get(id))) return undefined;
      if (!(await store.end(id, actor, clock.now()))) return false;
      await releaser.sweep();
      return (await store.get(id))!;
    },
    suppressed: (f) => store.holds(f),
  };
}
