// `steward config rehearse` and POST /v4/config/rehearse: reads the window's recorded pages, incidents and what people
// did about them (the noise report's reads: SELECTs only), then rehearses them in memory beside the config in force.
// Refused when the outbox keeps less history than the window asks for: a rehearsal on half a window would look safe.
import type { Clock } from "../../platform/core/clock";
import { formatDuration, parseDuration } from "../../platform/core/duration";
import { AppError } from "../../platform/core/errors";
import type { RemediationConfig } from "../../start/remediation/config";
import type { MaintenanceWindowConfig } from "../../tell/maintenance/config";
import type { NotifierConfig } from "../../tell/notify/config";
import { createStoredChains } from "../../tell/grouping/stored-chains";
import { routedNotPages } from "../../tell/notify/page-log";
import { unroutedBetween, unroutedCompleteFrom } from "../../tell/notify/unrouted-history";
import { type ConfigView, MAX_PAGES, type NoiseStores, readNoise, recordingChannels } from "../noise/sources";
import { MAX_RUNS, readRecordedRuns } from "./recorded-runs";
import { type RehearsedConfig, rehearse } from "./rehearse";
import { hasChanges, type ThresholdsView, thresholdChanges, watchThresholdsOf as thresholdsOf } from "./rejudge";
import type { Rehearsal } from "./types";

const DAY = 86_400_000;
/** The longest window: three months of pages is what a site keeps at most worth replaying. */
export const REHEARSE_MAX_DAYS = 92;
export const DEFAULT_SINCE = "4w";
/** The outbox's own default keep (notify.outbox.keep). */
const DEFAULT_KEEP_MS = 14 * DAY;

/** The whole config as the rehearsal reads it (the composition root passes the loaded one). */
export type RehearsableConfig = ConfigView & {
  notify?: { outbox?: { keep?: number } };
  maintenance?: { windows?: readonly MaintenanceWindowConfig[] };
  remediation?: Pick<RemediationConfig, "rules" | "budget">;
  qlik?: { host?: string };
} & ThresholdsView;

export interface RehearseDeps {
  clock: Clock;
  stores: NoiseStores;
  current(): RehearsableConfig;
  /** The new config's text, checked as `steward config check` would; throws CONFIG_INVALID naming the YAML path. */
  parse(yaml: string): RehearsableConfig;
}

/** "4w", "28d", "2w3d", "36h" → milliseconds; weeks are written as days for the duration parser. */
export function parseSince(text: string): number {
  const t = text.trim();
  const weeks = /^(\d+)w(.*)$/.exec(t);
  const ms = weeks ? Number(weeks[1]) * 7 * DAY + (weeks[2] ? (parseDuration(weeks[2]) ?? Number.NaN) : 0) : parseDuration(t);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0)
    throw new AppError("BAD_REQUEST", `since: "${text}" is not a window: write it as 4w, 28d or 36h`, { details: { field: "since" } });
  if (ms > REHEARSE_MAX_DAYS * DAY) throw new AppError("BAD_REQUEST", `since: at most ${REHEARSE_MAX_DAYS} days`, { details: { field: "since" } });
  return ms;
}

const rehearsed = (c: RehearsableConfig): RehearsedConfig => ({
  notifier: c as unknown as NotifierConfig,
  windows: c.maintenance?.windows ?? [],
  ...(c.remediation ? { remediation: c.remediation } : {}),
  recording: recordingChannels(c),
  watch: thresholdsOf(c),
});

export function createRehearsal(deps: RehearseDeps) {
  return async (yaml: string, since = DEFAULT_SINCE): Promise<Rehearsal & { historyFrom: string | null }> => {
    const windowMs = parseSince(since);
    const current = deps.current();
    const next = deps.parse(yaml);
    const keep = current.notify?.outbox?.keep ?? DEFAULT_KEEP_MS;
    if (keep < windowMs)
      throw new AppError(
        "CONFLICT",
        `the outbox keeps ${formatDuration(keep)} of history (notify.outbox.keep) and the rehearsal asks for ${formatDuration(windowMs)}: rehearse a shorter window (--since ${Math.floor(keep / DAY)}d), or raise notify.outbox.keep and rehearse once that much history is kept`,
        { details: { field: "since" } },
      );
    const to = deps.clock.now();
    const from = to - windowMs;
    // Every route's record, held ones too: the new config may page what the one in force holds; the events no route
    // took, which a new route may page on; and the queues' drains a route took (no page, but the [queue] rules' time).
    const db = deps.stores.db;
    const unrouted = [...(await unroutedBetween(db, from, to, MAX_PAGES)), ...(await routedNotPages(db, "task.on_track", from, to, MAX_PAGES))];
    const read = await readNoise(deps.stores, from, to, [], unrouted);
    // Said when the events no route took are complete from later than the window's routed history (kept since an
    // upgrade, or the oldest deleted past their byte budget): a new route's rehearsal is short of them before that.
    const keptFrom = (await unroutedCompleteFrom(db)) ?? null;
    // The chains as the watchdog last read them (kept in the store, one read): which cancelled task a re-run's chain
    // runs after it, as the live re-run finds when that task's turn comes.
    const chains = createStoredChains(db);
    await chains.refresh(to);
    const graph = chains.graph();
    const short = keptFrom === null || (keptFrom > from && read.firstRecordAt !== undefined && read.firstRecordAt < keptFrom);
    // The recorded runs are read only when a promise or the backlog threshold is judged differently (rejudge.ts).
    const runs = hasChanges(thresholdChanges(thresholdsOf(current), thresholdsOf(next)))
      ? await readRecordedRuns(db, from, to, current.qlik?.host ?? "steward")
      : undefined;
    const result = await rehearse({
      from,
      to,
      current: rehearsed(current),
      next: rehearsed(next),
      recorded: read.recorded,
      incidents: read.incidents,
      ...(graph ? { chains: graph } : {}),
      ...(short ? { unroutedFrom: keptFrom } : {}),
      ...(runs ? { runs } : {}),
    });
    if (runs?.truncatedAt !== undefined)
      result.notes.push(
        `The window holds more recorded runs than a rehearsal reads (${MAX_RUNS} of a kind): the promises and the queue are judged again up to ${new Date(runs.truncatedAt).toISOString()} only (their recorded events after it are left out for both configs); rehearse a shorter window.`,
      );
    const historyFrom = read.firstRecordAt !== undefined ? new Date(Math.max(from, read.firstRecordAt)).toISOString() : null;
    return { ...result, historyFrom };
  };
}

export type RehearseService = ReturnType<typeof createRehearsal>;
