// Control API: the apps (their reload outcome and the expressions the Engine evaluates) and the Engine's reloads.
import { z } from "zod";
import type { EngineReloadRecord } from "../engine/state";
import { expressionMap, ExpressionsSchema } from "../engine/expressions";
import { json } from "../util/http";
import type { ControlDeps, ControlRouter } from "./control-deps";
import { NotFound, parse } from "./control-errors";
import { appSummary } from "./summaries";

const AppPatchSchema = z.strictObject({
  reload: z
    .strictObject({
      durationMs: z.int().min(0).optional(),
      outcome: z.enum(["succeed", "fail"]).optional(),
      error: z.string().optional(),
      loadedRows: z.int().min(0).optional(),
      storedRows: z.int().min(0).optional(),
      memoryConstrained: z.boolean().optional(),
    })
    .optional(),
});

/** Engine reload records without the (large) log text. */
export function withoutLog(r: EngineReloadRecord): Omit<EngineReloadRecord, "scriptLog"> {
  const { scriptLog: _log, ...rest } = r;
  return rest;
}

export function addAppRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo } = deps;
  r.add("GET", "/apps", () =>
    json(
      200,
      [...repo.apps.keys()].map((id) => appSummary(repo, id)),
    ),
  );
  r.add("PATCH", "/apps/:id", (c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    const b = parse(AppPatchSchema, c.body);
    if (b.reload) Object.assign(a.model.reload, b.reload);
    return json(200, appSummary(repo, a.model.id));
  });
  r.add("PUT", "/apps/:id/expressions", (c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    a.expressions = expressionMap(parse(ExpressionsSchema, c.body));
    return json(200, { id: a.model.id, expressions: Object.fromEntries(a.expressions) });
  });
  r.add("GET", "/apps/:id/expressions", (_c, p) => {
    const a = repo.findApp(p.id!);
    if (!a) throw new NotFound(`no app ${p.id}`);
    return json(200, { id: a.model.id, expressions: Object.fromEntries(a.expressions) });
  });
  r.add("GET", "/engine/reloads", () => json(200, deps.engine.reloads.map(withoutLog)));
}
