// Declares a route once: zod schemas validate params, query and body at the edge, the handler receives typed
// input, and the same declaration feeds /openapi.json. A validation failure is a 400 naming the field.
import type { Context, Hono } from "hono";
import { z } from "zod";
import { AppError } from "../core/errors";
import type { PreHandler } from "./pre-handler";
import { methodOf, setRoute, urlOf } from "./request-state";
import type { HttpEnv, Scope } from "./types";

export type Method = "get" | "post" | "put" | "delete" | "patch";

export interface ResponseSpec {
  description: string;
  /**
   * The answer's shape, for /openapi.json only: a function that builds it when the document is asked for, so the
   * schemas of every route's answers are not built (and kept) at every start.
   */
  schema?: z.ZodType | (() => z.ZodType);
  contentType?: string;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method | Method[];
  /** Hono path syntax, e.g. "/v4/keyvalues/:namespace". */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  scope: Scope;
  params?: P;
  query?: Q;
  body?: B;
  /** Name of Butler's `restServerEndpointsEnable` flag this route corresponds to, if any. */
  butlerFlag?: string;
  /**
   * The route's guards and handler never wait on the store (a ping): its requests run without the store's deadline,
   * so no async context is entered for them (issue 89: entering it was part of what a ping costs over the floor).
   */
  storeFree?: boolean;
  /** Hidden from the API docs (the dashboard's HTML routes). */
  hidden?: boolean;
  /**
   * Path parameters that are secrets (a check-in key): the audit log and request logs show `***` in their place,
   * so a `read` key reading the audit never learns them.
   */
  secretParams?: readonly string[];
  /**
   * A person signed in with single sign-on reaches the handler without the route's scope, and the handler admits only
   * what is their own (their calendar feed, an override of a schedule they are on); every other caller needs `scope`.
   * The OpenAPI document says so (x-steward-self-service).
   */
  selfService?: true;
  responses: Record<number, ResponseSpec>;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

/**
 * Runs once the route's scope is known, around the handler: a refusal, or what `next(c)` led to. `next` settles the
 * answer as `c.res`; it returns a promise only when the handler did. It is made once per route and takes the request's
 * context: a closure per request was a function and its scope on the heap for every ping (issue 89).
 */
export type RouteGuard = (c: Context<HttpEnv>, next: RouteNext) => Response | undefined | Promise<unknown>;
export type RouteNext = (c: Context<HttpEnv>) => void | Promise<void>;

type Answer = (c: Context<HttpEnv>) => Response | Promise<Response>;
type OnError = (err: Error, c: Context<HttpEnv>) => Response | Promise<Response>;

/**
 * `inner` behind `guard`: the guard's refusal, else the answer `inner` gave (or `onError`'s for what it threw). No
 * promise is made unless the guard or `inner` returns one: a read that awaits nothing is answered synchronously.
 */
function guardedBy(guard: RouteGuard, inner: Answer, onError?: OnError): Answer {
  const settleError = (c: Context<HttpEnv>, err: unknown): void | Promise<void> => {
    if (!onError || !(err instanceof Error)) throw err;
    const res = onError(err, c);
    if (res instanceof Promise) return res.then((r) => void (c.res = r));
    c.res = res;
  };
  const next: RouteNext = (c) => {
    let res: Response | Promise<Response>;
    try {
      res = inner(c);
    } catch (err) {
      return settleError(c, err);
    }
    if (res instanceof Promise)
      return res.then(
        (r) => void (c.res = r),
        (err: unknown) => settleError(c, err),
      );
    c.res = res;
  };
  return (c) => {
    const refused = guard(c, next);
    if (refused instanceof Promise) return refused.then((r) => (r instanceof Response ? r : c.res));
    return refused instanceof Response ? refused : c.res;
  };
}

export type RegisteredRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export interface Router {
  route<
    P extends z.ZodType = z.ZodObject<Record<string, never>>,
    Q extends z.ZodType = z.ZodObject<Record<string, never>>,
    B extends z.ZodType = z.ZodUndefined,
  >(spec: RouteSpec<P, Q, B>, handler: (c: Context<HttpEnv>, input: RouteInput<P, Q, B>) => Response | Promise<Response>): void;
  readonly routes: readonly RegisteredRoute[];
}

/**
 * Each route is one Hono handler: the pre-handler's checks (`pre`), then the route's scope and `guards` around
 * validation and the handler. `onError` answers what the handler throws before the guards see the answer (a
 * write refused by validation is audited with its 400).
 */
export function createRouter(app: Hono<HttpEnv>, pre: PreHandler, guards: RouteGuard[] = [], onError?: OnError): Router {
  const routes: RegisteredRoute[] = [];
  return {
    routes,
    route(spec, handler) {
      routes.push(spec as unknown as RegisteredRoute);
      const methods = (Array.isArray(spec.method) ? spec.method : [spec.method]).map((m) => m.toUpperCase());
      const hasParams = spec.path.includes(":");
      const run = (c: Context<HttpEnv>): Response | Promise<Response> => {
        const raw = hasParams ? c.req.param() : NO_PARAMS;
        const params = spec.params ? validate("path", spec.params, raw) : raw;
        const query = spec.query ? validate("query", spec.query, queryObject(c)) : queryObject(c);
        if (!spec.body) return handler(c, { params, query, body: undefined } as never);
        const bodySchema = spec.body;
        return readBody(c).then((raw) => handler(c, { params, query, body: validate("body", bodySchema, raw) } as never));
      };
      // Scope, guards and handler are one route handler (not a middleware chain per request).
      const guarded = guards.reduceRight<Answer>((inner, guard) => guardedBy(guard, inner, onError), run);
      // "METHOD /path" of this route, made once per method (HEAD is answered by the GET route).
      const refs = new Map(["HEAD", ...methods].map((m) => [m, `${m} ${spec.path}`]));
      const selfService = spec.selfService === true;
      const scoped = (c: Context<HttpEnv>) => {
        const method = methodOf(c);
        setRoute(c, spec.scope, refs.get(method) ?? `${method} ${spec.path}`, selfService);
        return guarded(c);
      };
      const metrics = pre.metricsFor(spec.path, spec.storeFree === true);
      const masked = spec.secretParams?.length ? maskedPath(spec.path, new Set(spec.secretParams)) : undefined;
      // Set before the pre-handler's checks: a refusal there (a rate limit) is audited by the masked path too.
      app.on(methods, spec.path, masked ? (c) => (c.set("auditPath", masked(c)), pre.run(c, metrics, scoped)) : (c) => pre.run(c, metrics, scoped));
    },
  };
}

/** The request's path as the audit shows it: the route's own segments, the values of its parameters, secrets as ***. */
function maskedPath(path: string, secrets: ReadonlySet<string>): (c: Context<HttpEnv>) => string {
  const segments = path.split("/").map((s) => (s.startsWith(":") ? { param: s.slice(1).replace(/[{?].*$/, "") } : { text: s }));
  return (c) => {
    const values = c.req.param() as Record<string, string | undefined>;
    return segments.map((s) => ("text" in s ? s.text : secrets.has(s.param) ? "***" : encodeURIComponent(values[s.param] ?? ""))).join("/");
  };
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_QUERY: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

function queryObject(c: Context<HttpEnv>): Record<string, string | string[]> {
  if (!urlOf(c).includes("?")) return NO_QUERY;
  const out: Record<string, string | string[]> = {};
  for (const [k, values] of Object.entries(c.req.queries())) out[k] = values.length === 1 ? values[0]! : values;
  return out;
}

async function readBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError("BAD_REQUEST", `body: not valid JSON (${(err as Error).message})`, { details: [{ field: "body", message: "not valid JSON" }] });
  }
}

function validate(where: "path" | "query" | "body", schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return where === "body" ? undefined : value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ field: fieldName(where, i.path as PropertyKey[]), message: i.message }));
  const first = details[0]!;
  throw new AppError("BAD_REQUEST", `${first.field}: ${first.message}`, { details });
}

export function fieldName(where: string, path: PropertyKey[]): string {
  let out = where;
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return out;
}

/** Query strings carry booleans as text: "true"/"false"/"1"/"0"/"yes"/"no", in any case ("True" from a load script). */
export const queryBoolean = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");
