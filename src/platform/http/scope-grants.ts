// Which credential scopes open a route: the one rule both the access check (security/policy.ts) and the OpenAPI
// document (x-steward-scopes) read, so the document cannot promise a read key more or less than the server grants.
import type { Scope } from "./types";

/**
 * Routes of these scopes that only read (GET) are readable with the read scope too: a read key sees the schedules,
 * and the business status (the freshness it already reads on the dashboard, in the status page's words).
 */
const READ_ALSO_SEES: ReadonlySet<Scope> = new Set(["schedules", "status"]);

/** Does a credential holding `held` open a route of `scope` called with `method`? admin opens everything. */
export function scopeOpens(held: Scope, scope: Scope, method?: string): boolean {
  if (scope === "public" || held === scope || held === "admin") return true;
  return held === "read" && method?.toUpperCase() === "GET" && READ_ALSO_SEES.has(scope);
}

/** Every grantable scope that opens a route: the route's own, admin, and read where read may look. */
export function scopesOpening(scope: Scope, method: string, grantable: readonly Scope[]): Scope[] {
  return grantable.filter((held) => scopeOpens(held, scope, method));
}
