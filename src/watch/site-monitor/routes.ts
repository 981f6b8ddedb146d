// REST view of the site monitors: the last license reading and release run, a release run on demand (dry
// run unless asked otherwise), and the last Qlik Sense version read.
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import { queryBoolean, type Router } from "../../platform/http/route";
import type { LicenseMonitor } from "./license-monitor";
import type { LicenseRelease } from "./license-release";
import type { VersionMonitor } from "./version-monitor";

export interface SiteMonitorRouteDeps {
  /** runAfterNow: a refresh reads after the request, not the reading of a run that began before it. */
  license?: LicenseMonitor & { runAfterNow(): Promise<void> };
  release?: LicenseRelease;
  version?: VersionMonitor & { runAfterNow(): Promise<void> };
}

export function registerSiteMonitorRoutes(router: Router, deps: SiteMonitorRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/v4/license",
      summary: "License usage, expiry and the last license release run",
      description: "From the last reading of licenseMonitor (refresh=true reads QRS now) and the last licenseRelease run.",
      tags: ["license"],
      scope: "read",
      query: z.object({ refresh: queryBoolean.optional() }),
      responses: { 200: { description: "last readings (null where a monitor is off or has not run yet)" } },
    },
    async (c, { query }) => {
      if (query.refresh && deps.license) await deps.license.runAfterNow();
      return c.json({
        monitor: deps.license?.last() ?? null,
        release: deps.release?.last() ?? null,
        enabled: { monitor: Boolean(deps.license), release: Boolean(deps.release) },
      });
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/license/release",
      summary: "Run the license release now",
      description: "dryRun=true (the default here) lists what would be released; dryRun=false releases, bounded by licenseRelease.maxPerRun.",
      tags: ["license"],
      scope: "admin",
      query: z.object({ dryRun: queryBoolean.optional() }),
      responses: {
        200: { description: "the run: released, would release, kept (with the reason), failed, deferred" },
        503: { description: "licenseRelease is not configured" },
      },
    },
    async (c, { query }) => {
      if (!deps.release) throw new AppError("UNAVAILABLE", "license release is not configured (licenseRelease:)");
      return c.json(await deps.release.run({ dryRun: query.dryRun ?? true }));
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/qliksense/version",
      summary: "The Qlik Sense version last read from /v1/systeminfo",
      tags: ["license"],
      scope: "read",
      query: z.object({ refresh: queryBoolean.optional() }),
      responses: { 200: { description: "the version, or null" } },
    },
    async (c, { query }) => {
      if (query.refresh && deps.version) await deps.version.runAfterNow();
      return c.json({ version: deps.version?.last() ?? null, enabled: Boolean(deps.version) });
    },
  );
}
