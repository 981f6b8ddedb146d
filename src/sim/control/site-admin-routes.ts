// Control API: license, version and user changes, so license and version monitors have something to notice.
import { z } from "zod";
import { assignPresent } from "../settings";
import { json } from "../util/http";
import type { ControlDeps, ControlRouter } from "./control-deps";
import { NotFound, parse } from "./control-errors";

const LicensePatchSchema = z.strictObject({
  validTo: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  professionalTokens: z.int().min(0).optional(),
  analyzerTokens: z.int().min(0).optional(),
});
const SitePatchSchema = z.strictObject({
  productVersion: z.string().min(1).optional(),
  releaseLabel: z.string().min(1).optional(),
  buildVersion: z.string().min(1).optional(),
});
const UserPatchSchema = z.strictObject({
  access: z.enum(["professional", "analyzer", "none"]).optional(),
  lastUsed: z.iso.datetime().nullable().optional(),
  inactive: z.boolean().optional(),
});

export function addSiteAdminRoutes(r: ControlRouter, deps: ControlDeps): void {
  const { repo } = deps;
  r.add("GET", "/license", () => json(200, { ...repo.site.license, releasedAllocations: [...repo.releasedAllocations] }));
  r.add("PATCH", "/license", (c) => {
    assignPresent(repo.site.license, parse(LicensePatchSchema, c.body), c.body as object);
    return json(200, repo.site.license);
  });
  r.add("GET", "/site", () => json(200, repo.site.info));
  r.add("PATCH", "/site", (c) => {
    assignPresent(repo.site.info, parse(SitePatchSchema, c.body), c.body as object);
    return json(200, repo.site.info);
  });
  const userSummary = (u: (typeof repo.site.users)[number]) => ({
    id: u.id,
    userDirectory: u.userDirectory,
    userId: u.userId,
    access: u.access,
    lastUsed: u.lastUsed ?? null,
    inactive: u.inactive,
  });
  r.add("GET", "/users", () => json(200, repo.site.users.map(userSummary)));
  r.add("PATCH", "/users/:id", (c, p) => {
    const key = p.id!.toLowerCase();
    const u = repo.site.users.find((x) => x.id === key || `${x.userDirectory}\\${x.userId}`.toLowerCase() === key);
    if (!u) throw new NotFound(`no user ${p.id} (id or DIRECTORY\\userId)`);
    const b = parse(UserPatchSchema, c.body);
    if (b.access !== undefined) u.access = b.access;
    if (b.lastUsed !== undefined) u.lastUsed = b.lastUsed ?? undefined;
    if (b.inactive !== undefined) u.inactive = b.inactive;
    return json(200, userSummary(u));
  });
}
