// QRS license and about endpoints.
import type { Repository } from "../repo/repository";
import { renderAbout, renderAccessTypeOverview, renderLicense } from "../repo/render-license";
import { json } from "../util/http";
import type { Router } from "../util/router";
import type { QrsContext } from "./context";

export function addMiscRoutes(router: Router<QrsContext>, repo: Repository): void {
  const privileges = (ctx: QrsContext) => (ctx.query.get("privileges") ?? "").toLowerCase() === "true";
  router.add("GET", "license", (ctx) => json(200, renderLicense(repo, ctx.nowMs, { privileges: privileges(ctx) })));
  router.add("GET", "license/accesstypeoverview", () => json(200, renderAccessTypeOverview(repo)));
  router.add("GET", "about", () => json(200, renderAbout(repo)));
}
