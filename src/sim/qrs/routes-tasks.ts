// QRS task start endpoints: async start (204), synchronous start (201 {value}), start by name, start many.
import type { Repository } from "../repo/repository";
import type { SimSettings } from "../settings";
import type { TaskRunner } from "../tasks/runner";
import { empty, json, text } from "../util/http";
import { isGuid, ZERO_GUID } from "../util/ids";
import type { Router } from "../util/router";
import { formatUser } from "./auth";
import type { QrsContext } from "./context";

export interface TaskRouteDeps {
  repo: Repository;
  runner: TaskRunner;
  settings: SimSettings;
}

const CONFLICT_TEXT = "The task is already running.";

export function addTaskRoutes(router: Router<QrsContext>, deps: TaskRouteDeps): void {
  const { repo, runner, settings } = deps;

  /** Starts one task; returns the execution session id, or undefined with the response to send. */
  const startOne = (ctx: QrsContext, id: string): { executionId?: string; response?: Response } => {
    const task = repo.findTask(id);
    if (!task) return { response: empty(404) };
    const mode = settings.start.conflict;
    if (mode === "always" || (mode === "whenRunning" && task.runningSession)) return { response: text(409, CONFLICT_TEXT) };
    const res = runner.start(task.model.id, { user: formatUser(ctx.user) });
    return res.started ? { executionId: res.executionId } : {};
  };

  const findByName = (name: string) => [...repo.tasks.values()].find((t) => t.model.name.toLowerCase() === name.toLowerCase());

  router.add("POST", "task/:id/start", (ctx, p) => {
    if (!isGuid(p.id!)) return text(400, `Invalid id '${p.id}': not a GUID`);
    return startOne(ctx, p.id!).response ?? empty(204);
  });

  router.add("POST", "task/:id/start/synchronous", (ctx, p) => {
    if (!isGuid(p.id!)) return text(400, `Invalid id '${p.id}': not a GUID`);
    const r = startOne(ctx, p.id!);
    return r.response ?? json(201, { value: r.executionId ?? ZERO_GUID });
  });

  router.add("POST", "task/start", (ctx) => {
    const t = findByName(ctx.query.get("name") ?? "");
    if (!t) return empty(404);
    return startOne(ctx, t.model.id).response ?? empty(204);
  });

  router.add("POST", "task/start/synchronous", (ctx) => {
    const t = findByName(ctx.query.get("name") ?? "");
    if (!t) return empty(404);
    const r = startOne(ctx, t.model.id);
    return r.response ?? json(201, { value: r.executionId ?? ZERO_GUID });
  });

  router.add("POST", "task/start/many", (ctx) => {
    let ids: unknown;
    try {
      ids = JSON.parse(ctx.body === "" ? "null" : ctx.body);
    } catch {
      return text(400, "The request body is not valid JSON.");
    }
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === "string" && isGuid(i))) {
      return text(400, "Expected a JSON array of task ids.");
    }
    const unknown = ids.filter((i) => !repo.findTask(i));
    if (unknown.length > 0) return empty(404);
    for (const id of ids) {
      const r = startOne(ctx, id);
      if (r.response && r.response.status === 409) return r.response;
    }
    return empty(204);
  });
}
