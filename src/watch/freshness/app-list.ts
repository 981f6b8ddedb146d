// The promised apps from QRS's app list (at start and every 15 minutes, on the Steward judging): their names,
// streams, tags and last reload go to the store, so an app is judged before Steward sees one of its reloads; and the
// promises apps make themselves in their custom property (StewardFreshBy), each value read once per list.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { parseFreshBy } from "./custom-property";
import { compilePromise } from "./compile-promise";
import type { FreshnessStore } from "./freshness-store";
import { type JudgedPromise, promises } from "./judge";

const REFRESH_MS = 15 * 60_000;
/** QRS's lastReloadTime of an app never reloaded. */
const NEVER = "1753-01-01";

export interface AppListReader {
  /** Reads the list when it is due; a failure is logged, and judging goes on with what is known. */
  read(nowMs: number): Promise<void>;
  /** The promises apps made in their custom property, as of the last read. */
  ownPromises(): readonly JudgedPromise[];
}

export function createAppListReader(d: {
  qrs?: QrsClient;
  promises: readonly JudgedPromise[];
  store: FreshnessStore;
  log: Logger;
  customProperty?: string;
}): AppListReader {
  let readAt = Number.NEGATIVE_INFINITY;
  let own: JudgedPromise[] = [];
  const reported = new Set<string>();

  /** The app's own promise; a value Steward cannot read is logged once and promises nothing. */
  function ownPromise(cps: ReadonlyArray<{ value: string; definition: { name: string } }>, app: { appId: string; appName: string }): JudgedPromise | undefined {
    const name = d.customProperty;
    const cp = name ? cps.find((c) => c.definition.name.toLowerCase() === name.toLowerCase()) : undefined;
    if (!cp) return undefined;
    const r = parseFreshBy(cp.value);
    if (!r.ok) {
      const problem = `app "${app.appName}": custom property ${name} = ${cp.value}: ${r.error}; ignored`;
      if (!reported.has(problem)) d.log.warn({ problem }, `freshness: ${problem}`);
      reported.add(problem);
      return undefined;
    }
    return compilePromise(`${name}:${app.appName}`, { ...r.promise, appIds: [app.appId], appNames: [], streams: [], appTags: [] });
  }

  return {
    async read(nowMs) {
      if (!d.qrs || nowMs - readAt < REFRESH_MS) return;
      try {
        const found: JudgedPromise[] = [];
        for (const a of await d.qrs.listAppsFull()) {
          const app = {
            appId: a.id.toLowerCase(),
            appName: a.name,
            ...(a.stream?.name ? { stream: a.stream.name } : {}),
            tags: (a.tags ?? []).map((t) => t.name),
          };
          const mine = ownPromise(a.customProperties ?? [], app);
          if (mine) found.push(mine);
          if (!mine && !d.promises.some((p) => promises(p, app))) continue;
          const last = a.lastReloadTime && !a.lastReloadTime.startsWith(NEVER) ? Date.parse(a.lastReloadTime) : Number.NaN;
          await d.store.seedApp({ ...app, ...(Number.isFinite(last) ? { lastReloadMs: last } : {}) });
        }
        own = found;
        readAt = nowMs;
      } catch (err) {
        d.log.warn({ err: describeError(err) }, "freshness: the app list could not be read from QRS; judging the apps already known");
      }
    },
    ownPromises: () => own,
  };
}
