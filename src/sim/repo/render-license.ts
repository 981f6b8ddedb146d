// QRS JSON of the license, access-type overview and allocations, and `/qrs/about`.
import { stableGuid } from "../util/ids";
import { NEVER } from "../util/time";
import type { UserModel } from "../site/model";
import type { Repository } from "./repository";
import { privileges, type Json, type RenderOptions } from "./render-common";
import { renderUserCondensed } from "./render-app";

const STAMP = "2024-01-10T09:00:00.000Z";

export function renderLicense(repo: Repository, nowMs: number, opts: RenderOptions): Json {
  const l = repo.site.license;
  const expired = Date.parse(`${l.validTo}T23:59:59.999Z`) < nowMs;
  return {
    id: stableGuid("license", l.serial),
    createdDate: STAMP,
    modifiedDate: STAMP,
    modifiedByUserName: "INTERNAL\\sa_repository",
    lef: `${l.name};;${l.organization};;;;;;`,
    serial: l.serial,
    check: "4711",
    name: l.name,
    organization: l.organization,
    product: l.product,
    numberOfCores: l.numberOfCores,
    isExpired: expired,
    expiredReason: expired ? "License expired" : "",
    isBlacklisted: false,
    isInvalid: false,
    isSubscription: false,
    isCloudServices: false,
    isElastic: false,
    keyDetails: [
      `Serial: ${l.serial}`,
      `Product: ${l.product}`,
      `Cores: ${l.numberOfCores}`,
      "Valid From: 2024-01-01",
      `Valid To: ${l.validTo}`,
      `Organization: ${l.organization}`,
    ].join("\n"),
    privileges: privileges(opts),
    schemaPath: "License",
  };
}

export type AccessKind = "professional" | "analyzer";

export function allocatedUsers(repo: Repository, kind: AccessKind): UserModel[] {
  return repo.site.users.filter((u) => u.access === kind && !repo.releasedAllocations.has(allocationId(u, kind)));
}

export function allocationId(u: UserModel, kind: AccessKind): string {
  return stableGuid(`${kind}access`, u.id);
}

export function renderAllocation(u: UserModel, kind: AccessKind, opts: RenderOptions): Json {
  return {
    id: allocationId(u, kind),
    createdDate: STAMP,
    modifiedDate: STAMP,
    modifiedByUserName: "INTERNAL\\sa_repository",
    user: renderUserCondensed(u, opts),
    quarantined: false,
    quarantineEnd: NEVER,
    deleted: false,
    lastUsed: u.lastUsed ?? NEVER,
    privileges: privileges(opts),
    schemaPath: kind === "professional" ? "License.ProfessionalAccessType" : "License.AnalyzerAccessType",
  };
}

export function renderAccessTypeOverview(repo: Repository): Json {
  const l = repo.site.license;
  const pro = allocatedUsers(repo, "professional").length;
  const ana = allocatedUsers(repo, "analyzer").length;
  const totalTokens = l.professionalTokens + l.analyzerTokens;
  const block = (total: number, used: number) => ({
    enabled: total > 0,
    total,
    allocated: used,
    used,
    quarantined: 0,
    excess: 0,
    available: Math.max(0, total - used),
  });
  return {
    totalTokens,
    availableTokens: Math.max(0, totalTokens - pro - ana),
    professionalAccess: block(l.professionalTokens, pro),
    userAccess: { enabled: false, tokenCost: 1, allocatedTokens: 0, usedTokens: 0, userTokens: 0, quarantinedTokens: 0 },
    loginAccess: { enabled: false, tokenCost: 0.1, allocatedTokens: 0, usedTokens: 0, unavailableTokens: 0 },
    analyzerAccess: block(l.analyzerTokens, ana),
    analyzerTimeAccess: { enabled: false, allocatedMinutes: 0, usedMinutes: 0, unavailableMinutes: 0 },
    schemaPath: "License.AccessTypeOverview",
  };
}

export function renderAbout(repo: Repository): Json {
  return {
    buildVersion: repo.site.info.buildVersion,
    buildDate: "2025-05-12T00:00:00.000Z",
    databaseProvider: "Devart.Data.PostgreSql",
    nodeType: 1,
    sharedPersistence: true,
    requiresBootstrap: false,
    singleNodeOnly: false,
    schemaPath: "AboutService",
  };
}
