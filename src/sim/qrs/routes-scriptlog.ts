// QRS script-log retrieval (spec §2.8.4): reference by fileReferenceId (old) or executionResultId (May 2025+),
// then the text download, with not-ready and expiry windows.
import type { Repository } from "../repo/repository";
import type { SimSettings } from "../settings";
import { empty, json, text } from "../util/http";
import { isGuid, ZERO_GUID } from "../util/ids";
import type { Router } from "../util/router";
import type { QrsContext } from "./context";

export function addScriptLogRoutes(router: Router<QrsContext>, repo: Repository, settings: SimSettings): void {
  const executionsOf = (taskId: string) => [...repo.executions.values()].filter((e) => e.taskId === taskId.toLowerCase());

  router.add("GET", "reloadtask/:id/scriptlog", (ctx, p) => {
    if (!isGuid(p.id!)) return text(400, `Invalid id '${p.id}': not a GUID`);
    if (settings.scriptLog.oldEndpointFails) return empty(404);
    const task = repo.findTask(p.id!);
    const ref = (ctx.query.get("filereferenceid") ?? "").toLowerCase();
    if (!task) return empty(404);
    if (!isGuid(ref)) return text(400, "Missing or invalid fileReferenceId");
    if (ref === ZERO_GUID) return empty(404);
    const exec = executionsOf(task.model.id).find((e) => e.fileReferenceID.toLowerCase() === ref);
    if (!exec?.scriptLog) return empty(404);
    return json(200, { value: repo.newDownloadRef(exec.id, ctx.nowMs) });
  });

  router.add("GET", "reloadtask/:id/scriptlogfile", (ctx, p) => {
    if (!isGuid(p.id!)) return text(400, `Invalid id '${p.id}': not a GUID`);
    const task = repo.findTask(p.id!);
    const erId = (ctx.query.get("executionresultid") ?? "").toLowerCase();
    if (!task) return empty(404);
    if (!isGuid(erId)) return text(400, "Missing or invalid executionResultId");
    const exec = repo.executions.get(erId);
    if (!exec || exec.taskId !== task.model.id || !exec.scriptLog) return empty(404);
    return json(200, { value: repo.newDownloadRef(exec.id, ctx.nowMs) });
  });

  router.add("GET", "download/reloadtask/:ref/:name", (ctx, p) => {
    const ref = repo.downloadRefs.get((p.ref ?? "").toLowerCase());
    if (!ref) return empty(404);
    const age = ctx.nowMs - ref.createdMs;
    if (age < settings.scriptLog.notReadyMs || age >= settings.scriptLog.expireMs) return empty(404);
    const exec = repo.executions.get(ref.executionResultId);
    if (!exec?.scriptLog) return empty(404);
    return new Response(exec.scriptLog, {
      status: 200,
      headers: {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="${(p.name ?? "scriptlog.txt").replace(/"/g, "")}"`,
      },
    });
  });
}
