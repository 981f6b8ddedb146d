// Control API: change the site as an administrator does in the QMC, so a test can turn a task off: list the triggers,
// disable or re-enable one, give it an end date, delete a task. Each change records who made it and when, as QRS shows
// them (modifiedByUserName, modifiedDate); a deleted task's task-event rules in other tasks then name no task.
import { z } from "zod";
import type { Repository } from "../repo/repository";
import { json } from "../util/http";

const WhoSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\\]+\\[^\\]+$/, "DIRECTORY\\userId");
const TriggerPatchSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** Local time in the trigger's zone, as QRS stores it (e.g. 2026-11-23T10:00:00.000). */
  expirationDate: z
    .string()
    .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/)
    .optional(),
  modifiedBy: WhoSchema.optional(),
  /**
   * The Scheduler fires this schema trigger this many minutes later (earlier when negative) than its reading of the
   * trigger says, and QRS states those times: a Qlik that reads the trigger differently from Steward. Not an edit of
   * the trigger: its modifiedDate stays.
   */
  schedulerShiftMinutes: z.int().min(-1440).max(1440).optional(),
});
const DeleteSchema = z.strictObject({ modifiedBy: WhoSchema.optional() }).optional();

type Add = (method: string, path: string, handler: (c: { body: unknown }, p: Record<string, string | undefined>) => Response) => void;
type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

export function addTaskEditRoutes(
  add: Add,
  repo: Repository,
  parse: Parse,
  notFound: (message: string) => Error,
  now: () => number,
  rearm?: (triggerId: string) => void,
): void {
  add("GET", "/triggers", () =>
    json(
      200,
      [...repo.tasks.values()].flatMap((t) =>
        t.model.triggers.map((tr) => ({
          id: tr.id,
          name: tr.name,
          type: tr.type,
          taskId: t.model.id,
          task: t.model.name,
          enabled: tr.enabled,
          ...(tr.type === "schema" ? { expirationDate: tr.expirationDate, schedulerShiftMinutes: (tr.shiftMs ?? 0) / 60_000 } : {}),
        })),
      ),
    ),
  );
  add("PATCH", "/triggers/:id", (c, p) => {
    const id = p.id!.toLowerCase();
    for (const task of repo.tasks.values()) {
      const tr = task.model.triggers.find((x) => x.id.toLowerCase() === id);
      if (!tr) continue;
      const b = parse(TriggerPatchSchema, c.body);
      if (b.schedulerShiftMinutes !== undefined) {
        if (tr.type !== "schema") throw notFound(`trigger ${p.id} is a task-event trigger; only schema triggers fire on a schedule`);
        tr.shiftMs = b.schedulerShiftMinutes * 60_000;
        if (b.enabled === undefined && b.expirationDate === undefined) {
          rearm?.(tr.id);
          return json(200, { id: tr.id, task: task.model.name, schedulerShiftMinutes: b.schedulerShiftMinutes });
        }
      }
      if (b.enabled !== undefined) tr.enabled = b.enabled;
      if (b.expirationDate !== undefined) {
        if (tr.type !== "schema") throw notFound(`trigger ${p.id} is a task-event trigger; only schema triggers have an end date`);
        tr.expirationDate = b.expirationDate;
      }
      tr.modifiedMs = now();
      tr.modifiedByUserName = b.modifiedBy ?? "INTERNAL\\sa_repository";
      if (tr.type === "schema") rearm?.(tr.id);
      return json(200, { id: tr.id, task: task.model.name, enabled: tr.enabled, ...(tr.type === "schema" ? { expirationDate: tr.expirationDate } : {}) });
    }
    throw notFound(`no trigger ${p.id}`);
  });
  add("DELETE", "/tasks/:id", (c, p) => {
    parse(DeleteSchema, c.body);
    const t = repo.findTask(p.id!);
    if (!t) throw notFound(`no task ${p.id}`);
    repo.tasks.delete(t.model.id.toLowerCase());
    return json(200, { deleted: t.model.id, name: t.model.name });
  });
}
