// The recorded runs a rehearsal judges the watch's thresholds on (issue 105): the apps' successful reloads and the
// runs that waited in a node's queue, as the watchdog kept them (watchdog_runs, keepRuns: 35 days by default), and the
// apps as the freshness store names them, and the Qlik chains their data comes through (recorded-chains.ts). SELECTs
// only, each bounded; a window past the bound says so.
import type { SqlDb } from "../../platform/store/sql";
import type { RecordedRuns } from "./rejudge";
import { readRecordedChains } from "./recorded-chains";
import { MIN_WAIT_MS } from "./rejudge-backlog";

/** Runs read per kind at most: 35 days of a 5,800-task site's reloads stay under it. */
export const MAX_RUNS = 200_000;
/** A weekly promise's first deadline of the window counts from the deadline a week before it. */
const LEAD_MS = 8 * 86_400_000;
const STATUS_SUCCESS = 7;

type Num = number | string | null;

export async function readRecordedRuns(db: SqlDb, from: number, to: number, host: string, limit = MAX_RUNS): Promise<RecordedRuns> {
  const reloadRows = await db.all<{ app_id: string; start_ms: Num; stop_ms: Num }>(
    "SELECT app_id, start_ms, stop_ms FROM watchdog_runs WHERE app_id IS NOT NULL AND status = ? AND stop_ms >= ? AND stop_ms <= ? ORDER BY stop_ms LIMIT ?",
    [STATUS_SUCCESS, from - LEAD_MS, to, limit],
  );
  const waitRows = await db.all<{ node: string; created_ms: Num; start_ms: Num }>(
    "SELECT node, created_ms, start_ms FROM watchdog_runs WHERE node IS NOT NULL AND start_ms IS NOT NULL AND start_ms - created_ms >= ? AND start_ms >= ? AND created_ms <= ? ORDER BY created_ms LIMIT ?",
    [MIN_WAIT_MS, from, to, limit],
  );
  const appRows = await db.all<{ app_id: string; app_name: string; stream: string | null; tags: string }>(
    "SELECT app_id, app_name, stream, tags FROM freshness_apps ORDER BY app_id LIMIT ?",
    [limit],
  );
  const chains = await readRecordedChains(db, from - LEAD_MS, to, limit);
  const reloads = reloadRows.map((r) => ({
    appId: r.app_id.toLowerCase(),
    ...(r.start_ms !== null ? { startMs: Number(r.start_ms) } : {}),
    stopMs: Number(r.stop_ms),
  }));
  const waits = waitRows.map((r) => ({ node: r.node, createdMs: Number(r.created_ms), startMs: Number(r.start_ms) }));
  const truncated = [
    ...(reloadRows.length === limit ? [reloads.at(-1)!.stopMs] : []),
    ...(waitRows.length === limit ? [waits.at(-1)!.createdMs] : []),
    ...(chains?.truncatedAt !== undefined ? [chains.truncatedAt] : []),
  ];
  return {
    reloads,
    waits,
    apps: appRows.map((r) => ({ appId: r.app_id.toLowerCase(), appName: r.app_name, ...(r.stream ? { stream: r.stream } : {}), tags: tagsOf(r.tags) })),
    ...(chains ? { chains } : {}),
    host,
    ...(truncated.length > 0 ? { truncatedAt: Math.min(...truncated) } : {}),
  };
}

function tagsOf(raw: string): string[] {
  try {
    const t = JSON.parse(raw) as unknown;
    return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
