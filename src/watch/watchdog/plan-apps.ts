// The plan's apps, read from QRS's app/full rows: names, streams, owners and the last reload. Each row is read once
// (row-parses.ts), so an app whose row did not change is the very same object at the next read: on a busy site the
// apps are what changes between two reads of the plan (their last reload), and plan-update.ts tells which.
import { z } from "zod";
import type { NameValue, WatchdogEvent } from "../../platform/events/types";
import { type RowParses, readRowOnce } from "./row-parses";

export type WatchedApp = NonNullable<WatchdogEvent["app"]> & { lastReloadMs?: number };

const Named = z.lazy(() => z.object({ name: z.string() }));
// A plain object: an app/full row has 26 fields and the plan reads 7; a loose object copied them all (5,803 rows of
// the ×50 site: 43-145 ms loose, 5-22 ms plain).
const QrsAppRow = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    stream: z.object({ name: z.string() }).nullish(),
    tags: z.array(Named).nullish(),
    customProperties: z.array(z.object({ value: z.unknown(), definition: z.object({ name: z.string() }).nullish() })).nullish(),
    owner: z.object({ userDirectory: z.string(), userId: z.string(), name: z.string().nullish() }).nullish(),
    lastReloadTime: z.string().nullish(),
  }),
);

/** Custom properties as name and value; one without a definition name or a value is left out. */
export const cpsOf = (raw: unknown): NameValue[] =>
  (Array.isArray(raw) ? raw : []).flatMap((cp) =>
    typeof cp?.definition?.name === "string" && cp.value !== undefined && cp.value !== null
      ? [{ name: cp.definition.name as string, value: String(cp.value) }]
      : [],
  );

const NEVER = "1753-01-01";

/** One app row as the plan keeps it, or undefined when Steward cannot read it. */
function readApp(row: unknown): WatchedApp | undefined {
  const r = QrsAppRow.safeParse(row);
  if (!r.success) return undefined;
  const a = r.data;
  const last = a.lastReloadTime && !a.lastReloadTime.startsWith(NEVER) ? Date.parse(a.lastReloadTime) : Number.NaN;
  return {
    id: a.id.toLowerCase(),
    name: a.name,
    ...(a.stream?.name ? { stream: a.stream.name } : {}),
    tags: (a.tags ?? []).map((x) => x.name),
    customProperties: cpsOf(a.customProperties),
    ...(a.owner
      ? { owner: { userDirectory: a.owner.userDirectory, userId: a.owner.userId, ...(a.owner.name ? { name: a.owner.name } : {}), emails: [] } }
      : {}),
    ...(Number.isFinite(last) ? { lastReloadMs: last } : {}),
  };
}

/** The apps by lower-case id. A row Steward cannot read is left out: apps only add names and owners to a task. */
export function readApps(appRows: readonly unknown[], parses?: RowParses): Map<string, WatchedApp> {
  const apps = new Map<string, WatchedApp>();
  for (const row of appRows) {
    const app = readRowOnce(parses, readApp, row, readApp);
    if (app) apps.set(app.id, app);
  }
  return apps;
}
