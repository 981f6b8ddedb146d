// Reads Butler's schedule file (root key `butlerSchedule`, entries with name, cronSchedule, timezone,
// qlikSenseTaskId, startupState, tags, id, created, lastKnownState). Every problem is reported as
// FILE:LINE:COL butlerSchedule[i].field: message, and nothing is imported unless the whole file is valid.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { YamlBounds } from "../../platform/config/yaml-bounds";
import { nodeAt, parseYamlSource, position, formatPath, type YamlSource } from "../../platform/config/yaml-source";
import { AppError } from "../../platform/core/errors";
import { RESERVED_IDS, ScheduleInputSchema, StartupStateSchema, stateFromStartup, type ScheduleDefinition, type ScheduleState } from "./schedule-model";

export interface ImportedSchedule {
  id: string;
  definition: ScheduleDefinition;
  created: string;
  state: ScheduleState;
}

/** Schedule ids travel in URL paths: no slashes or control characters, and not a route word. */
export const ScheduleIdSchema = z.lazy(() =>
  z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\?#\u0000-\u001f]+$/, "must not contain / \\ ? # or control characters")
    .refine((id) => !RESERVED_IDS.includes(id.toLowerCase()), { message: `must not be one of ${RESERVED_IDS.join(", ")}` }),
);

const ButlerEntrySchema = z.lazy(() =>
  z.object({
    name: z.string().min(1),
    cronSchedule: z.string().min(1),
    timezone: z.string().min(1).optional(),
    qlikSenseTaskId: z.string(),
    startupState: StartupStateSchema.optional(),
    tags: z.array(z.coerce.string()).nullish(),
    id: z.coerce.string().pipe(ScheduleIdSchema).optional(),
    created: z.union([z.string(), z.date()]).optional(),
    lastKnownState: StartupStateSchema.optional(),
  }),
);

/**
 * The id of an entry written without one, derived from what makes it that schedule (name, cron, time zone as
 * written, task): importing the same file again, or on another Steward of a cluster, finds the same ids and skips
 * them instead of adding every schedule a second time. UUID-shaped, like the ids Butler writes.
 */
export function derivedScheduleId(e: { name: string; cronSchedule: string; timezone?: string | undefined; qlikSenseTaskId: string }): string {
  const h = createHash("sha256")
    .update(JSON.stringify([e.name, e.cronSchedule, e.timezone ?? "", e.qlikSenseTaskId.toLowerCase()]))
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * What a schedule file sent over REST may be, for a store of at most `maxSchedules`: Butler's file nests four levels
 * deep and an entry is about a dozen lines of about 25 nodes; the bounds leave room for comments and long names.
 */
export function scheduleFileBounds(maxSchedules: number): YamlBounds {
  return { maxDepth: 16, maxNodes: 40 * maxSchedules + 1000, maxBytes: 2048 * maxSchedules + 65_536, maxAliases: 100 };
}

export function parseButlerScheduleFile(text: string, file: string, defaultTimezone: string, now: () => number, bounds?: YamlBounds): ImportedSchedule[] {
  let src: YamlSource;
  try {
    src = parseYamlSource(text, file, bounds);
  } catch (err) {
    throw new AppError("BAD_REQUEST", (err as Error).message, { cause: err, details: (err as AppError).details });
  }
  const problems: string[] = [];
  const report = (path: PropertyKey[], message: string) => {
    const { node } = nodeAt(src, path);
    problems.push(`${file}:${position(src, node)} ${formatPath(path)}: ${message}`);
  };
  const data = src.data as Record<string, unknown> | null;
  if (data === null || typeof data !== "object" || Array.isArray(data) || !("butlerSchedule" in data)) {
    throw new AppError("BAD_REQUEST", `${file}:1:1 (root): expected a mapping with the key butlerSchedule (Butler's schedule file)`);
  }
  const list = data.butlerSchedule ?? [];
  if (!Array.isArray(list))
    throw new AppError("BAD_REQUEST", `${file}:${position(src, nodeAt(src, ["butlerSchedule"]).node)} butlerSchedule: expected a list of schedules`);

  const out: ImportedSchedule[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const base: PropertyKey[] = ["butlerSchedule", i];
    const entry = ButlerEntrySchema.safeParse(raw);
    if (!entry.success) {
      for (const issue of entry.error.issues) report([...base, ...(issue.path as PropertyKey[])], issue.message);
      return;
    }
    const e = entry.data;
    const def = ScheduleInputSchema.safeParse({
      name: e.name,
      cronSchedule: e.cronSchedule,
      timezone: e.timezone ?? defaultTimezone,
      qlikSenseTaskId: e.qlikSenseTaskId,
      ...(e.startupState ? { startupState: e.startupState } : {}),
      tags: e.tags ?? [],
    });
    if (!def.success) {
      for (const issue of def.error.issues) report([...base, ...(issue.path as PropertyKey[])], issue.message);
      return;
    }
    const id = e.id ?? derivedScheduleId(e);
    const twin = seen.get(id);
    if (twin !== undefined) {
      if (e.id !== undefined) report([...base, "id"], `duplicate id '${id}' in this file`);
      else report(base, `the same schedule as butlerSchedule[${twin}] (name, cronSchedule, timezone and qlikSenseTaskId): remove one, or give each an id`);
      return;
    }
    seen.set(id, i);
    const created = e.created === undefined ? new Date(now()).toISOString() : e.created instanceof Date ? e.created.toISOString() : e.created;
    // Steward keeps the state a schedule was left in; Butler's lastKnownState is exactly that.
    const state = stateFromStartup(e.lastKnownState ?? def.data.startupState);
    out.push({ id, definition: { ...def.data, timezone: def.data.timezone ?? defaultTimezone }, created, state });
  });
  if (problems.length > 0) throw new AppError("BAD_REQUEST", problems.join("\n"), { details: problems });
  return out;
}

/** UTC offset of a time zone at an instant, as Intl writes it ("GMT+01:00"). */
function offsetAt(zone: string, at: number): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "";
}

/** Do two zones show the same clock for the coming year (sampled every two weeks, so DST changes count)? */
function sameClock(a: string, b: string, from: number): boolean {
  for (let i = 0; i < 27; i++) if (offsetAt(a, from + i * 14 * 86_400_000) !== offsetAt(b, from + i * 14 * 86_400_000)) return false;
  return true;
}

/**
 * Butler passed a misspelt option to its cron library, so every schedule fired in the server's own zone whatever
 * its timezone said. Steward follows the timezone: name the schedules that will fire at other times after the move.
 */
export function butlerTimezoneNote(schedules: ImportedSchedule[], localZone: string, now: number): string | undefined {
  const moved = schedules.filter((s) => !sameClock(s.definition.timezone, localZone, now));
  if (moved.length === 0) return undefined;
  const list = moved.map((s) => `${s.definition.name} (${s.definition.timezone})`).join(", ");
  return (
    `Schedules: Butler ignored each schedule's timezone and fired it in its server's own zone; Steward follows the timezone. ` +
    `${moved.length} schedule${moved.length === 1 ? "" : "s"} will fire at other times than under Butler unless you set the timezone to ${localZone} (this computer's zone): ${list}.`
  );
}
