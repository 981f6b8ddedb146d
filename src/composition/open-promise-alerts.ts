// The freshness promises' open alerts, read from the judge's store for the grouping (tell/ does not read watch/'s
// tables): a cause that opens after a promise's warning it explains takes the warning in (issue 102).
import type { SqlDb } from "../platform/store/sql";
import type { EarlierAlert } from "../tell/grouping";
import { createFreshnessStore } from "../watch/freshness/freshness-store";

export function openPromiseAlerts(db: SqlDb): () => Promise<EarlierAlert[]> {
  const store = createFreshnessStore(db);
  return async () =>
    (await store.openConditions()).flatMap((c) => {
      // The condition's latest alert: its breach once raised, else its warning.
      const e = c.breachEvent ?? c.warnEvent;
      if (!e?.app) return [];
      return [
        {
          subject: `watch:${e.condition.key}`,
          kind: e.kind,
          eventId: e.id,
          appId: e.app.id,
          appName: e.app.name,
          ...(e.app.stream ? { stream: e.app.stream } : {}),
        },
      ];
    });
}
