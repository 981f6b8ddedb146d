// What Steward knows of a request while it is handled: its id, who is calling, the matched route's scope and name,
// and its logger. One Hono variable holds it all: each c.set is a Map write, and the first makes the Map, which was
// about a tenth of a ping's JavaScript with six variables set per request (issue 69).
import type { Context } from "hono";
import type { Logger } from "pino";
import type { HttpEnv, Principal, RequestState, Scope } from "./types";

/** Every request starts anonymous with every scope; the access guard replaces it on routes that check. */
export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", name: "anonymous", scopes: "all" }) as Principal;

/** Starts the request's state (the pre-handler, before any check). */
export function beginRequest(c: Context<HttpEnv>, requestId: string, baseLog: Logger | undefined): RequestState {
  const state: RequestState = { requestId, principal: ANONYMOUS, scope: undefined, routeRef: undefined, baseLog, log: undefined };
  c.set("request", state);
  return state;
}

/** The request's id ("" for a request that never passed the pre-handler). */
export function requestIdOf(c: Context<HttpEnv>): string {
  return c.get("request")?.requestId ?? "";
}

export function principalOf(c: Context<HttpEnv>): Principal {
  return c.get("request")?.principal ?? ANONYMOUS;
}

export function setPrincipal(c: Context<HttpEnv>, principal: Principal): void {
  const state = c.get("request");
  if (state) state.principal = principal;
}

/** The matched route (route.ts sets it before the route's guards). */
export function setRoute(c: Context<HttpEnv>, scope: Scope, routeRef: string): void {
  const state = c.get("request");
  if (state) {
    state.scope = scope;
    state.routeRef = routeRef;
  }
}

/** The matched route's scope and name, for a route guard (route.ts sets them before any guard runs). */
export function matchedRoute(c: Context<HttpEnv>): { scope: Scope; routeRef: string } {
  const state = c.get("request");
  if (!state?.scope || state.routeRef === undefined) throw new Error("a route guard ran before the request's route was set (route.ts)");
  return { scope: state.scope, routeRef: state.routeRef };
}

/** The request's logger (a child with its requestId), made on first use: most requests never log. */
export function requestLog(c: Context<HttpEnv>): Logger | undefined {
  const state = c.get("request");
  if (!state?.baseLog) return undefined;
  state.log ??= state.baseLog.child({ requestId: state.requestId });
  return state.log;
}
