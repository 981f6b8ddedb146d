// What Steward knows of a request while it is handled: its id, who is calling, the matched route's scope and name,
// and its logger. It is one object kept on the request's Hono context under a symbol of this module: kept as Hono
// variables (c.set), six of them were a Map made and written per request, and even one cost a Map (issue 69).
import type { Context } from "hono";
import type { Logger } from "pino";
import { RequestDeadline } from "../core/deadline";
import type { HttpEnv, Principal, RequestState, Scope } from "./types";

const STATE = Symbol("steward.request");
type WithState = Context<HttpEnv> & { [STATE]?: RequestState };
const stateOf = (c: Context<HttpEnv>): RequestState | undefined => (c as WithState)[STATE];

/** Every request starts anonymous with every scope; the access guard replaces it on routes that check. */
export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", name: "anonymous", scopes: "all" }) as Principal;

/**
 * Starts the request's state (the pre-handler, before any check): `raw` is the runtime's request, whose method and URL
 * are read here once, and `headers` its headers, which the pre-handler read first for the request id.
 */
export function beginRequest(
  c: Context<HttpEnv>,
  raw: Request,
  headers: Headers,
  requestId: string,
  baseLog: Logger | undefined,
  deadlineAt: number,
): RequestState & RequestDeadline {
  const state = new RequestFrame(raw, requestId, raw.method, raw.url, headers, baseLog, deadlineAt);
  (c as WithState)[STATE] = state;
  return state;
}

/**
 * A request's state and its store deadline as one object (issue 89: the two were two objects a request, and a ping
 * allocated 1.3 KB more than the floor's).
 */
class RequestFrame extends RequestDeadline implements RequestState {
  principal: Principal = ANONYMOUS;
  scope: Scope | undefined = undefined;
  routeRef: string | undefined = undefined;
  selfService = false;
  log: Logger | undefined = undefined;
  /** A guard set a header for the answer to come (prepareHeader): an answer made whole (jsonAnswer) would lose it. */
  headersPrepared = false;
  /** The answer jsonAnswer made with the request's id already on it: the pre-handler does not set it again. */
  answerWithId: Response | undefined = undefined;
  constructor(
    /** The runtime's request (the pre-handler's checks read whether it has a body). */
    readonly request: Request,
    readonly requestId: string,
    readonly method: string,
    readonly url: string,
    readonly headers: Headers,
    readonly baseLog: Logger | undefined,
    deadlineAt: number,
  ) {
    super(deadlineAt);
  }
}

/** The request's method: read once by the pre-handler, else from the request itself. */
export function methodOf(c: Context<HttpEnv>): string {
  return stateOf(c)?.method ?? c.req.method;
}

/** The request's URL: read once by the pre-handler, else from the request itself. */
export function urlOf(c: Context<HttpEnv>): string {
  return stateOf(c)?.url ?? c.req.url;
}

/** The runtime's request: the one the pre-handler took, else Hono's. */
export function requestOf(c: Context<HttpEnv>): Request {
  return stateOf(c)?.request ?? c.req.raw;
}

/** The request's headers: read once by the pre-handler, else from the request itself. */
export function headersOf(c: Context<HttpEnv>): Headers {
  return stateOf(c)?.headers ?? c.req.raw.headers;
}

/** The request's id ("" for a request that never passed the pre-handler). */
export function requestIdOf(c: Context<HttpEnv>): string {
  return stateOf(c)?.requestId ?? "";
}

export function principalOf(c: Context<HttpEnv>): Principal {
  return stateOf(c)?.principal ?? ANONYMOUS;
}

export function setPrincipal(c: Context<HttpEnv>, principal: Principal): void {
  const state = stateOf(c);
  if (state) state.principal = principal;
}

/** The matched route (route.ts sets it before the route's guards). */
export function setRoute(c: Context<HttpEnv>, scope: Scope, routeRef: string, selfService = false): void {
  const state = stateOf(c);
  if (state) {
    state.scope = scope;
    state.routeRef = routeRef;
    state.selfService = selfService;
  }
}

/** Does the matched route let a person signed in with single sign-on past its scope (RouteSpec.selfService)? */
export function selfServiceRoute(c: Context<HttpEnv>): boolean {
  return stateOf(c)?.selfService === true;
}

/** The matched route's scope and name, for a route guard (route.ts sets them before any guard runs). */
export function matchedRoute(c: Context<HttpEnv>): { scope: Scope; routeRef: string } {
  const state = stateOf(c);
  if (!state?.scope || state.routeRef === undefined) throw new Error("a route guard ran before the request's route was set (route.ts)");
  return { scope: state.scope, routeRef: state.routeRef };
}

/** The request's logger (a child with its requestId), made on first use: most requests never log. */
export function requestLog(c: Context<HttpEnv>): Logger | undefined {
  const state = stateOf(c);
  if (!state?.baseLog) return undefined;
  state.log ??= state.baseLog.child({ requestId: state.requestId });
  return state.log;
}

/**
 * Sets a header of the answer to come before the route's handler has made it (a guard's rate-limit numbers), through
 * Hono's context as before, and marks the request so that jsonAnswer makes its answer the way that carries it. A
 * guard or check that runs before a handler sets the answer's headers through here, not with `c.header`.
 */
export function prepareHeader(c: Context<HttpEnv>, name: string, value: string): void {
  const state = stateOf(c);
  if (state) state.headersPrepared = true;
  c.header(name, value);
}

/**
 * A 200 JSON answer of `body` (already text) that carries the request's id from its making: one Response with
 * both headers set before it leaves. A ping's answer made by `c.json` and then given its id by the pre-handler (its Headers read, one set)
 * cost about a tenth of a ping's CPU on the main thread more (issue 89). When a guard prepared headers for the answer
 * (prepareHeader), or outside the pre-handler, it is made by Hono's context, which joins them, and the id is set as
 * on any answer.
 */
export function jsonAnswer(c: Context<HttpEnv>, body: string): Response {
  const state = stateOf(c);
  if (state === undefined || state.headersPrepared) return c.body(body, 200, { "Content-Type": "application/json" });
  // Made bare, then its two headers set: a headers object in the init cost about 90 ns a ping more (the runtime reads
  // the object's properties to build the answer's Headers; issue 89).
  const res = new Response(body);
  const headers = res.headers;
  headers.set("Content-Type", "application/json");
  headers.set("X-Request-Id", state.requestId);
  state.answerWithId = res;
  return res;
}

/** The request's id for its answer `res` (the pre-handler sets it), or undefined when `res` carries it already. */
export function requestIdFor(c: Context<HttpEnv>, res: Response): string | undefined {
  const state = stateOf(c);
  if (state === undefined) return "";
  return state.answerWithId === res ? undefined : state.requestId;
}
