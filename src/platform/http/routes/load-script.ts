// GET /v4/loadscript/steward.qvs: the load-script library, embedded in the binary, so an admin can fetch the
// version that matches this Steward (e.g. straight into a folder data connection).
import { z } from "zod";
import qvs from "../../../../templates/steward.qvs" with { type: "text" };
import type { Router } from "../route";

export function registerLoadScriptRoutes(router: Router): void {
  router.route(
    {
      method: "get",
      path: "/v4/loadscript/steward.qvs",
      summary: "The load-script library for Qlik Sense (steward.qvs)",
      description:
        "Subs that call Steward from a load script: StartTask, StartTasksByTag, StartTasksByCustomProperty, SetKeyValue, GetKeyValue, DeleteKeyValue, PublishMqtt, CopyFile, MoveFile, DeleteFile, CreateDirectory.",
      tags: ["tasks"],
      scope: "public",
      responses: { 200: { description: "The script text.", contentType: "text/plain", schema: () => z.string() } },
    },
    (c) => c.body(qvs, 200, { "Content-Type": "text/plain; charset=utf-8", "Content-Disposition": 'attachment; filename="steward.qvs"' }),
  );
}
