// The rota as it stands (issue 106): the config's schedules with the overrides people made over REST or the
// dashboard put first (the newest wins, then the config's). Who is on duty is asked synchronously on every page, so
// the stored overrides are held in memory: read again at a write of this Steward at once, and at most REFRESH_MS
// after another Steward of the cluster wrote one (the next look after that reads the store in the background).
import type { Clock } from "../../platform/core/clock";
import { type OnCallConfig, type OnCallSchedule, scheduleNames, scheduleOf } from "./config";
import type { OverrideStore, StoredOverride } from "./override-store";

export const REFRESH_MS = 30_000;
/** Overrides that ended longer ago than the feeds look back are not read. */
const KEEP_MS = 8 * 86_400_000;

export type RotaOverrides = ReturnType<typeof createRotaOverrides>;

export function createRotaOverrides(store: OverrideStore, clock: Clock) {
  let held: StoredOverride[] = [];
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const refresh = (): Promise<void> =>
    (reading ??= store
      .endingAfter(clock.now() - KEEP_MS)
      .then((rows) => {
        held = rows;
        readAt = clock.now();
      })
      .finally(() => {
        reading = undefined;
      }));
  return {
    refresh,
    held: () => held,
    /** `oncall` with the stored overrides merged in; the same object when there are none. */
    merged(oncall: OnCallConfig | undefined): OnCallConfig | undefined {
      // No rota: no override can hold, and an idle Steward reads nothing for it (idle-site-statements).
      if (!oncall) return oncall;
      // A failed read keeps what was held; the next look tries again.
      if (clock.now() - readAt >= REFRESH_MS) void refresh().catch(() => {});
      if (held.length === 0) return oncall;
      const out: Record<string, unknown> = { ...oncall };
      for (const name of scheduleNames(oncall)) {
        const s = scheduleOf(oncall, name)!;
        // `held` is newest first, and the first override that holds wins: the newest, then the config's own.
        const extra = held
          .filter((o) => o.schedule === name)
          .map((o) => ({ person: o.person, from: new Date(o.from).toISOString(), until: new Date(o.until).toISOString() }));
        if (extra.length > 0) out[name] = { ...s, overrides: [...extra, ...s.overrides] } satisfies OnCallSchedule;
      }
      return out as OnCallConfig;
    },
  };
}
