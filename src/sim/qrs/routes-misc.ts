// QRS license, about and service status endpoints.
import type { Repository } from "../repo/repository";
import { renderAbout, renderAccessTypeOverview, renderLicense } from "../repo/render-license";
import { renderServiceStatus } from "../repo/render-service-status";
import { applyFilter, FilterSyntaxError, filterErrorText } from "../filter";
import { json, text } from "../util/http";
import type { Router } from "../util/router";
import type { QrsContext } from "./context";

export function addMiscRoutes(router: Router<QrsContext>, repo: Repository): void {
  const privileges = (ctx: QrsContext) => (ctx.query.get("privileges") ?? "").toLowerCase() === "true";
  router.add("GET", "license", (ctx) => json(200, renderLicense(repo, ctx.nowMs, { privileges: privileges(ctx) })));
  router.add("GET", "license/accesstypeoverview", () => json(200, renderAccessTypeOverview(repo)));
  router.add("GET", "about", () => json(200, renderAbout(repo)));
  router.add("GET", "servicestatus/full", (ctx) => {
    const rows = renderServiceStatus(repo, ctx.nowMs);
    const filter = ctx.query.get("filter");
    if (filter === undefined || filter.trim() === "") return json(200, rows);
    try {
      return json(200, applyFilter(rows, filter));
    } catch (err) {
      if (err instanceof FilterSyntaxError) return text(400, filterErrorText(err));
      throw err;
    }
  });
}
